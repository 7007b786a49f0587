from typing import Annotated

from fastapi import Depends

from mnp_chatbot.audit.dependencies import AuditTrailDep
from mnp_chatbot.core.dependencies import SessionDep
from mnp_chatbot.faq.dependencies import KnowledgeIndexDep
from mnp_chatbot.insights.service import InsightsService


async def get_insights(
    session: SessionDep, audit: AuditTrailDep, index: KnowledgeIndexDep
) -> InsightsService:
    return InsightsService(session, audit, index)


InsightsServiceDep = Annotated[InsightsService, Depends(get_insights)]
