from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from mnp_chatbot.auth.router import errors
from mnp_chatbot.chat.tokens import TOKEN_PATTERN
from mnp_chatbot.privacy.dependencies import DataRightsDep
from mnp_chatbot.privacy.schemas import ConversationExport

router = APIRouter(prefix="/api", tags=["privacy"])
SessionPath = Annotated[
    str, Path(pattern=TOKEN_PATTERN, description="The session token the chat API returned")
]


@router.get(
    "/sessions/{session_id}/export",
    response_model=ConversationExport,
    response_model_by_alias=True,
    responses=errors(403, 404, 422, 429),
    summary="Export everything kept about this conversation as JSON",
)
async def export_session(session_id: SessionPath, data_rights: DataRightsDep) -> dict[str, Any]:
    return await data_rights.export(session_id)


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    responses=errors(403, 404, 422, 429),
    summary="Delete this conversation: messages, feedback, hand-offs and caches",
)
async def delete_session(session_id: SessionPath, data_rights: DataRightsDep) -> Response:
    await data_rights.delete(session_id)
    return Response(status_code=204)
