"""The hand-off API: the console's routes under /api/admin, and the customer's under /api/handoff.

Viewers read the queue; operators and admins act; only admins change the settings."""

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from mnp_chatbot.auth.dependencies import AdminUser, CurrentUser, StaffUser
from mnp_chatbot.auth.router import errors
from mnp_chatbot.chat.dependencies import ChatServiceDep
from mnp_chatbot.chat.router import handoff_state
from mnp_chatbot.chat.schemas import HandoffStateRead
from mnp_chatbot.handoff.dependencies import HandoffServiceDep
from mnp_chatbot.handoff.schemas import (
    CallbackList,
    CallbackRead,
    ContactBody,
    ContactRead,
    HandoffDetailRead,
    HandoffList,
    HandoffRead,
    HandoffStatsRead,
    HandoffStatusName,
    NoteRead,
    OperatorList,
    OperatorMessageRead,
    PresenceRead,
    PresenceUpdate,
    ResolveBody,
    SessionBody,
    SettingsRead,
    SettingsUpdate,
    TextBody,
    TransferBody,
    callback_read,
    detail_read,
    handoff_read,
    note_read,
    presence_read,
)
from mnp_chatbot.handoff.service import Contact

router = APIRouter(prefix="/api/admin", tags=["handoff"])
customer_router = APIRouter(prefix="/api/handoff", tags=["handoff"])
ACTIONS = errors(401, 403, 404, 409, 422, 429)


@router.put(
    "/operators/me/presence", response_model=PresenceRead, response_model_by_alias=True, responses=ACTIONS
)
async def put_presence(body: PresenceUpdate, user: StaffUser, handoffs: HandoffServiceDep) -> PresenceRead:
    return presence_read(await handoffs.set_presence(user, body.status))


@router.get(
    "/operators/me/presence", response_model=PresenceRead, response_model_by_alias=True, responses=ACTIONS
)
async def get_presence(user: CurrentUser, handoffs: HandoffServiceDep) -> PresenceRead:
    return presence_read(await handoffs.presence_of(user))


@router.get("/operators", response_model=OperatorList, response_model_by_alias=True, responses=ACTIONS)
async def list_operators(_: CurrentUser, handoffs: HandoffServiceDep) -> OperatorList:
    return OperatorList(items=[presence_read(member) for member in await handoffs.staff()])


@router.get("/handoffs", response_model=HandoffList, response_model_by_alias=True, responses=ACTIONS)
async def list_handoffs(
    _: CurrentUser,
    handoffs: HandoffServiceDep,
    status: Annotated[HandoffStatusName, Query()] = "waiting",
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> HandoffList:
    statuses = ("resolved", "abandoned") if status == "resolved" else (status,)
    return HandoffList(
        items=[handoff_read(item) for item in await handoffs.list_handoffs(statuses, limit=limit)]
    )


@router.get(
    "/handoffs/{handoff_id}",
    response_model=HandoffDetailRead,
    response_model_by_alias=True,
    responses=ACTIONS,
)
async def get_handoff(
    handoff_id: uuid.UUID, _: CurrentUser, handoffs: HandoffServiceDep
) -> HandoffDetailRead:
    return detail_read(await handoffs.detail(handoff_id))


@router.post(
    "/handoffs/{handoff_id}/claim",
    response_model=HandoffRead,
    response_model_by_alias=True,
    responses=ACTIONS,
)
async def claim(handoff_id: uuid.UUID, user: StaffUser, handoffs: HandoffServiceDep) -> HandoffRead:
    return handoff_read(await handoffs.claim(handoff_id, user))


@router.post(
    "/handoffs/{handoff_id}/messages",
    response_model=OperatorMessageRead,
    response_model_by_alias=True,
    status_code=201,
    responses=ACTIONS,
)
async def post_message(
    handoff_id: uuid.UUID, body: TextBody, user: StaffUser, handoffs: HandoffServiceDep
) -> OperatorMessageRead:
    return OperatorMessageRead.model_validate(await handoffs.reply(handoff_id, user, body.text))


@router.post(
    "/handoffs/{handoff_id}/resolve",
    response_model=HandoffRead,
    response_model_by_alias=True,
    responses=ACTIONS,
)
async def resolve(
    handoff_id: uuid.UUID, body: ResolveBody, user: StaffUser, handoffs: HandoffServiceDep
) -> HandoffRead:
    return handoff_read(await handoffs.resolve(handoff_id, user, body.outcome, body.note or None))


@router.post(
    "/handoffs/{handoff_id}/release",
    response_model=HandoffRead,
    response_model_by_alias=True,
    responses=ACTIONS,
)
async def release(handoff_id: uuid.UUID, user: StaffUser, handoffs: HandoffServiceDep) -> HandoffRead:
    return handoff_read(await handoffs.release(handoff_id, user))


@router.post(
    "/handoffs/{handoff_id}/transfer",
    response_model=HandoffRead,
    response_model_by_alias=True,
    responses=ACTIONS,
)
async def transfer(
    handoff_id: uuid.UUID, body: TransferBody, user: StaffUser, handoffs: HandoffServiceDep
) -> HandoffRead:
    return handoff_read(await handoffs.transfer(handoff_id, user, body.operator_id))


@router.post(
    "/handoffs/{handoff_id}/notes",
    response_model=NoteRead,
    response_model_by_alias=True,
    status_code=201,
    responses=ACTIONS,
)
async def add_note(
    handoff_id: uuid.UUID, body: TextBody, user: StaffUser, handoffs: HandoffServiceDep
) -> NoteRead:
    return note_read(*await handoffs.add_note(handoff_id, user, body.text))


@router.get("/callbacks", response_model=CallbackList, response_model_by_alias=True, responses=ACTIONS)
async def list_callbacks(
    _: CurrentUser, handoffs: HandoffServiceDep, done: Annotated[bool, Query()] = False
) -> CallbackList:
    return CallbackList(items=[callback_read(handoff) for handoff in await handoffs.callbacks(done=done)])


@router.get(
    "/callbacks/{handoff_id}/contact",
    response_model=ContactRead,
    response_model_by_alias=True,
    responses=ACTIONS,
)
async def reveal_contact(handoff_id: uuid.UUID, user: StaffUser, handoffs: HandoffServiceDep) -> ContactRead:
    return ContactRead.model_validate(await handoffs.reveal_contact(handoff_id, user))


@router.post(
    "/callbacks/{handoff_id}/done",
    response_model=CallbackRead,
    response_model_by_alias=True,
    responses=ACTIONS,
)
async def callback_done(handoff_id: uuid.UUID, user: StaffUser, handoffs: HandoffServiceDep) -> CallbackRead:
    return callback_read(await handoffs.callback_done(handoff_id, user))


@router.get("/handoff-settings", response_model=SettingsRead, response_model_by_alias=True, responses=ACTIONS)
async def get_settings(_: CurrentUser, handoffs: HandoffServiceDep) -> SettingsRead:
    return SettingsRead.model_validate(await handoffs.policy())


@router.put("/handoff-settings", response_model=SettingsRead, response_model_by_alias=True, responses=ACTIONS)
async def put_settings(body: SettingsUpdate, user: AdminUser, handoffs: HandoffServiceDep) -> SettingsRead:
    values = body.model_dump(by_alias=True, exclude_none=True)
    return SettingsRead.model_validate(await handoffs.update_policy(user, values))


@router.get(
    "/handoff-stats", response_model=HandoffStatsRead, response_model_by_alias=True, responses=ACTIONS
)
async def get_stats(
    _: CurrentUser,
    handoffs: HandoffServiceDep,
    first: Annotated[dt.date | None, Query(alias="from", description="First day (Japan time)")] = None,
    last: Annotated[dt.date | None, Query(alias="to", description="Last day, inclusive (Japan time)")] = None,
) -> HandoffStatsRead:
    return HandoffStatsRead.model_validate(await handoffs.stats(first, last))


CUSTOMER = errors(404, 409, 422, 429)


@customer_router.post(
    "/status", response_model=HandoffStateRead | None, response_model_by_alias=True, responses=CUSTOMER
)
async def customer_status(body: SessionBody, chat: ChatServiceDep) -> dict[str, object] | None:
    status = await chat.handoff_status(body.session_id)
    return None if status is None else handoff_state(status)


@customer_router.post(
    "/cancel", response_model=HandoffStateRead | None, response_model_by_alias=True, responses=CUSTOMER
)
async def customer_cancel(body: SessionBody, chat: ChatServiceDep) -> dict[str, object] | None:
    status = await chat.cancel_handoff(body.session_id)
    return None if status is None else handoff_state(status)


@customer_router.post(
    "/contact", response_model=HandoffStateRead, response_model_by_alias=True, responses=CUSTOMER
)
async def customer_contact(body: ContactBody, chat: ChatServiceDep) -> dict[str, object]:
    contact = Contact(body.method, body.value, body.preferred_time or None)
    return handoff_state(await chat.leave_contact(body.session_id, contact))
