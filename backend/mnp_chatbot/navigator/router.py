from typing import Any

from fastapi import APIRouter

from mnp_chatbot.core.dependencies import TodayDep
from mnp_chatbot.faq.dependencies import KnowledgeIndexDep
from mnp_chatbot.navigator import planner
from mnp_chatbot.navigator.schemas import Situation

router = APIRouter(prefix="/api/navigator", tags=["navigator"])


@router.post("/plan", summary="A personal switching plan for the customer's situation")
async def post_plan(body: Situation, index: KnowledgeIndexDep, today: TodayDep) -> dict[str, Any]:
    carriers = list(index.snapshot.carriers.values())
    plan = planner.make_plan(body, carriers, today=today)
    return plan.model_dump(mode="json", by_alias=True)
