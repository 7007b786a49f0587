from typing import Any

from fastapi import APIRouter, Response

from mnp_chatbot.auth.router import errors
from mnp_chatbot.chat.dependencies import SessionPath, SessionTokenHeader, deprecated_for
from mnp_chatbot.privacy.dependencies import DataRightsDep
from mnp_chatbot.privacy.schemas import ConversationExport

router = APIRouter(prefix="/api", tags=["privacy"])


@router.get(
    "/session/export",
    response_model=ConversationExport,
    response_model_by_alias=True,
    responses=errors(403, 404, 422, 429),
    summary="Export everything kept about this conversation as JSON (token in X-Session-Token)",
)
async def export_session(token: SessionTokenHeader, data_rights: DataRightsDep) -> dict[str, Any]:
    return await data_rights.export(token)


@router.delete(
    "/session",
    status_code=204,
    responses=errors(403, 404, 422, 429),
    summary="Delete this conversation: messages, feedback, hand-offs and caches (token in X-Session-Token)",
)
async def delete_session(token: SessionTokenHeader, data_rights: DataRightsDep) -> Response:
    await data_rights.delete(token)
    return Response(status_code=204)


@router.get(
    "/sessions/{session_id}/export",
    response_model=ConversationExport,
    response_model_by_alias=True,
    responses=errors(403, 404, 422, 429),
    deprecated=True,
    dependencies=[deprecated_for("/api/session/export")],
    summary="Deprecated: puts the session token in the URL; use GET /api/session/export",
)
async def export_session_by_path(session_id: SessionPath, data_rights: DataRightsDep) -> dict[str, Any]:
    return await data_rights.export(session_id)


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    responses=errors(403, 404, 422, 429),
    deprecated=True,
    summary="Deprecated: puts the session token in the URL; use DELETE /api/session",
)
async def delete_session_by_path(session_id: SessionPath, data_rights: DataRightsDep) -> Response:
    await data_rights.delete(session_id)
    return Response(
        status_code=204, headers={"Deprecation": "true", "Link": '</api/session>; rel="successor-version"'}
    )
