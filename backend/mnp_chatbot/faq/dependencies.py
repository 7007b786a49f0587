from typing import Annotated, cast

from fastapi import Depends

from mnp_chatbot.carriers.repository import CarrierRepository
from mnp_chatbot.core.dependencies import ResourcesDep, SessionDep
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.faq.repository import FaqRepository
from mnp_chatbot.faq.service import FaqService


async def get_index(resources: ResourcesDep) -> KnowledgeIndex:
    return cast(KnowledgeIndex, resources.extras["knowledge"])


KnowledgeIndexDep = Annotated[KnowledgeIndex, Depends(get_index)]


async def get_faq_service(session: SessionDep, index: KnowledgeIndexDep) -> FaqService:
    return FaqService(FaqRepository(session), CarrierRepository(session), index)


FaqServiceDep = Annotated[FaqService, Depends(get_faq_service)]
