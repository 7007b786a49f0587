"""The operators' views: conversations and transcripts (admins and operators), knowledge gaps and
analytics (every console role)."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from mnp_chatbot.auth.dependencies import CurrentUser, StaffUser
from mnp_chatbot.auth.router import errors
from mnp_chatbot.chat.models import ChannelName, ConversationStatus
from mnp_chatbot.insights.dependencies import InsightsServiceDep
from mnp_chatbot.insights.gaps import DEFAULT_LOW_CONFIDENCE
from mnp_chatbot.insights.repository import ConversationFilters
from mnp_chatbot.insights.schemas import (
    AnalyticsRead,
    ConversationPage,
    DraftRead,
    DraftRequest,
    GapList,
    TranscriptRead,
)
from mnp_chatbot.insights.service import Analytics, FaqDraft, Transcript

router = APIRouter(prefix="/api/admin", tags=["admin: insights"])
READ_ERRORS = errors(401, 403, 422, 429)
First = Annotated[
    dt.date | None, Query(alias="from", description="First day (Japan time); default 30 days ago")
]
Last = Annotated[
    dt.date | None, Query(alias="to", description="Last day, inclusive (Japan time); default today")
]
LowConfidence = Annotated[
    float, Query(alias="lowConfidence", ge=0.0, le=1.0, description="Answers below this count as gaps")
]


@router.get(
    "/conversations", response_model=ConversationPage, response_model_by_alias=True, responses=READ_ERRORS
)
async def list_conversations(
    _: StaffUser,
    insights: InsightsServiceDep,
    channel: ChannelName | None = None,
    status: ConversationStatus | None = None,
    handoff: bool | None = None,
    feedback: Literal["up", "down"] | None = None,
    first: First = None,
    last: Last = None,
    below: Annotated[float | None, Query(alias="confidenceBelow", ge=0.0, le=1.0)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, object]:
    filters = ConversationFilters(channel, status, handoff, feedback, insights.window(first, last), below)
    items, total = await insights.list_conversations(filters, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get(
    "/conversations/{conversation_id}",
    response_model=TranscriptRead,
    response_model_by_alias=True,
    responses=errors(401, 403, 404, 422, 429),
)
async def get_transcript(
    conversation_id: uuid.UUID, user: StaffUser, insights: InsightsServiceDep
) -> Transcript:
    return await insights.open_transcript(user.id, conversation_id)


@router.get("/gaps", response_model=GapList, response_model_by_alias=True, responses=READ_ERRORS)
async def list_gaps(
    _: CurrentUser,
    insights: InsightsServiceDep,
    first: First = None,
    last: Last = None,
    low_confidence: LowConfidence = DEFAULT_LOW_CONFIDENCE,
    min_count: Annotated[int, Query(alias="minCount", ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, object]:
    dates = insights.date_range(first, last)
    items = await insights.find_gaps(dates, low_confidence=low_confidence, limit=limit, min_count=min_count)
    return {"items": items, "from_": dates.first, "to": dates.last}


@router.post(
    "/gaps/faq-draft",
    response_model=DraftRead,
    response_model_by_alias=True,
    responses=errors(401, 403, 404, 422, 429),
)
async def draft_faq(body: DraftRequest, _: StaffUser, insights: InsightsServiceDep) -> FaqDraft:
    dates = insights.date_range(body.from_, body.to)
    return await insights.draft_faq(body.key, dates, low_confidence=body.low_confidence)


@router.get("/analytics", response_model=AnalyticsRead, response_model_by_alias=True, responses=READ_ERRORS)
async def get_analytics(
    _: CurrentUser,
    insights: InsightsServiceDep,
    first: First = None,
    last: Last = None,
    top: Annotated[int, Query(ge=1, le=50, description="How many top questions")] = 10,
) -> Analytics:
    return await insights.report(insights.date_range(first, last), top=top)
