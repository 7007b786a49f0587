import uuid
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response

from mnp_chatbot.chat.dependencies import ChatServiceDep, SessionPath, SessionTokenHeader, deprecated_for
from mnp_chatbot.chat.events import TurnResult
from mnp_chatbot.chat.models import ChannelName, Message
from mnp_chatbot.chat.reply import is_rateable, source_dicts
from mnp_chatbot.chat.schemas import (
    ChatRequest,
    ChatResponse,
    FeedbackCreate,
    FeedbackRead,
    HistoryResponse,
    MessageRead,
)
from mnp_chatbot.chat.service import History, Inbound
from mnp_chatbot.core.errors import error_body
from mnp_chatbot.handoff.status import CustomerStatus

router = APIRouter(prefix="/api", tags=["chat"])
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": "Error",
        "content": {"application/json": {"example": error_body("code", "message")}},
    }
    for status in (400, 404, 413, 422, 429)
}


def response_of(result: TurnResult) -> ChatResponse:
    reply = result.reply
    return ChatResponse.model_validate(
        {
            "session_id": result.session_token,
            "message_id": result.message_id,
            "reply": None
            if reply is None
            else {
                "text": reply.text,
                "sources": source_dicts(reply.sources),
                "confidence": round(reply.confidence, 4),
                "quick_replies": list(reply.quick_replies),
                "handoff": reply.handoff,
                "mode": reply.mode.value,
                "rateable": is_rateable(reply.mode.value),
            },
            "handoff": None if result.handoff is None else handoff_state(result.handoff),
        }
    )


def inbound_of(body: ChatRequest) -> Inbound:
    return Inbound(body.message, body.session_id, body.client_message_id, ChannelName(body.channel))


def handoff_state(status: CustomerStatus) -> dict[str, object]:
    return {**asdict(status), "callback_offered": status.callback_offered}


def history_of(session_id: str, history: History) -> HistoryResponse:
    handoff = None if history.handoff is None else handoff_state(history.handoff)
    messages = [message_of(message, history.ratings.get(message.id)) for message in history.messages]
    return HistoryResponse.model_validate(
        {"session_id": session_id, "messages": messages, "handoff": handoff}
    )


def message_of(message: Message, rating: int | None) -> MessageRead:
    feedback = None if rating is None else ("up" if rating > 0 else "down")
    return MessageRead.model_validate(message).model_copy(update={"feedback": feedback})


@router.post("/chat", response_model=ChatResponse, response_model_by_alias=True, responses=ERRORS)
async def post_chat(body: ChatRequest, chat: ChatServiceDep) -> Response:
    """Well-formed requests are answered by chat/endpoint.py ahead of the router; this route documents the
    endpoint and answers the rest (its refusals are the contract)."""
    # The reply is validated once here and serialised by pydantic's core, not again by FastAPI.
    reply = response_of(await chat.reply(inbound_of(body)))
    return Response(reply.model_dump_json(by_alias=True), media_type="application/json")


@router.get(
    "/session/messages",
    response_model=HistoryResponse,
    response_model_by_alias=True,
    responses=ERRORS,
    summary="The conversation's messages; the session token goes in the X-Session-Token header",
)
async def get_history(token: SessionTokenHeader, chat: ChatServiceDep) -> HistoryResponse:
    return history_of(token, await chat.history(token))


@router.get(
    "/sessions/{session_id}/messages",
    response_model=HistoryResponse,
    response_model_by_alias=True,
    responses=ERRORS,
    deprecated=True,
    dependencies=[deprecated_for("/api/session/messages")],
    summary="Deprecated: puts the session token in the URL; use GET /api/session/messages",
)
async def get_history_by_path(session_id: SessionPath, chat: ChatServiceDep) -> HistoryResponse:
    return history_of(session_id, await chat.history(session_id))


@router.post(
    "/messages/{message_id}/feedback",
    response_model=FeedbackRead,
    response_model_by_alias=True,
    status_code=201,
    responses=ERRORS,
)
async def post_feedback(message_id: uuid.UUID, body: FeedbackCreate, chat: ChatServiceDep) -> FeedbackRead:
    rating = 1 if body.rating == "up" else -1
    await chat.give_feedback(message_id, body.session_id, rating=rating, comment=body.comment)
    return FeedbackRead(message_id=message_id, rating=body.rating)
