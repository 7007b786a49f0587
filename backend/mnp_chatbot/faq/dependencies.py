from typing import Annotated

from fastapi import Depends

from mnp_chatbot.carriers.repository import CarrierRepository
from mnp_chatbot.container import ServicesDep
from mnp_chatbot.core.dependencies import SessionDep
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.faq.repository import FaqRepository
from mnp_chatbot.faq.service import FaqService


async def get_index(services: ServicesDep) -> KnowledgeIndex:
    return services.index


KnowledgeIndexDep = Annotated[KnowledgeIndex, Depends(get_index)]


async def get_faq_service(session: SessionDep, index: KnowledgeIndexDep) -> FaqService:
    return FaqService(FaqRepository(session), CarrierRepository(session), index)


FaqServiceDep = Annotated[FaqService, Depends(get_faq_service)]
