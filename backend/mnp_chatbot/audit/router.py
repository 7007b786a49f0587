import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from mnp_chatbot.audit.dependencies import AuditTrailDep
from mnp_chatbot.audit.schemas import AuditChainRead, AuditLogPage
from mnp_chatbot.auth.dependencies import AdminUser
from mnp_chatbot.auth.router import errors
from mnp_chatbot.core.dependencies import SessionDep

router = APIRouter(prefix="/api/admin", tags=["audit"])


@router.get(
    "/audit-logs/verify",
    response_model=AuditChainRead,
    response_model_by_alias=True,
    responses=errors(401, 403, 429),
    summary="Walk the audit log's hash chain and report the first entry that was changed or removed",
)
async def verify_audit_logs(_: AdminUser, audit: AuditTrailDep, session: SessionDep) -> AuditChainRead:
    report = await audit.verify(session)
    return AuditChainRead(
        ok=report.ok,
        checked=report.checked,
        head_hash=report.head_hash,
        broken_at=report.broken_at,
        reason=report.reason,
    )


@router.get(
    "/audit-logs",
    response_model=AuditLogPage,
    response_model_by_alias=True,
    responses=errors(401, 403, 422, 429),
)
async def list_audit_logs(
    _: AdminUser,
    audit: AuditTrailDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(alias="beforeId", ge=1, le=2**62)] = None,
    action: Annotated[str | None, Query(pattern=r"^[a-z_.]{1,64}$")] = None,
    actor_id: Annotated[uuid.UUID | None, Query(alias="actorId")] = None,
    first: Annotated[dt.date | None, Query(alias="from", description="First day (Japan time)")] = None,
    last: Annotated[dt.date | None, Query(alias="to", description="Last day, inclusive (Japan time)")] = None,
) -> dict[str, object]:
    items = await audit.page(
        session, limit=limit, before_id=before_id, action=action, actor_id=actor_id, first=first, last=last
    )
    return {"items": items, "next_before_id": items[-1].id if len(items) == limit else None}
