"""Bodies of the hand-off API: the console's (`/api/admin/...`) and the customer's (`/api/handoff/...`)."""

import datetime as dt
import re
import uuid
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from mnp_chatbot.chat.schemas import SessionToken, clean_message
from mnp_chatbot.core.schemas import Schema
from mnp_chatbot.handoff.models import Handoff, HandoffNote
from mnp_chatbot.handoff.service import HandoffDetail, HandoffItem, StaffPresence

OUTCOMES = ("solved", "unsolved", "escalated", "no_response", "returned_to_bot", "other")
PHONE = re.compile(r"^\+?[0-9][0-9-]{8,16}[0-9]$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
Outcome = Literal["solved", "unsolved", "escalated", "no_response", "returned_to_bot", "other"]
HandoffStatusName = Literal["waiting", "active", "resolved", "abandoned", "missed"]


class PresenceUpdate(Schema):
    status: Literal["online", "away", "offline"]


class PresenceRead(Schema):
    user_id: uuid.UUID = Field(serialization_alias="userId")
    display_name: str = Field(serialization_alias="displayName")
    role: str
    status: str
    capacity: int
    active: int


class OperatorList(Schema):
    items: list[PresenceRead]


class HandoffRead(Schema):
    id: uuid.UUID
    conversation_id: uuid.UUID = Field(serialization_alias="conversationId")
    reason: str
    channel: str
    status: str
    waiting_seconds: int = Field(serialization_alias="waitingSeconds")
    operator: str | None
    operator_id: uuid.UUID | None = Field(serialization_alias="operatorId")
    outcome: str | None
    preview: str | None = Field(description="The customer's latest message (masked)")
    queued_at: dt.datetime = Field(serialization_alias="queuedAt")
    claimed_at: dt.datetime | None = Field(serialization_alias="claimedAt")
    resolved_at: dt.datetime | None = Field(serialization_alias="resolvedAt")
    callback_requested: bool = Field(serialization_alias="callbackRequested")


class HandoffList(Schema):
    items: list[HandoffRead]


class TranscriptMessageRead(Schema):
    id: uuid.UUID
    role: str
    text: str
    mode: str | None
    author: str | None
    created_at: dt.datetime = Field(serialization_alias="createdAt")


class NoteRead(Schema):
    id: uuid.UUID
    kind: str
    text: str
    author: str | None
    created_at: dt.datetime = Field(serialization_alias="createdAt")


class HandoffDetailRead(Schema):
    handoff: HandoffRead
    messages: list[TranscriptMessageRead]
    notes: list[NoteRead]


class TextBody(Schema):
    text: str

    @field_validator("text")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_message(value)


class ResolveBody(Schema):
    outcome: Outcome
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class TransferBody(Schema):
    operator_id: uuid.UUID = Field(alias="operatorId")


class OperatorMessageRead(Schema):
    id: uuid.UUID
    role: str
    text: str
    author: str | None
    created_at: dt.datetime = Field(serialization_alias="createdAt")


class CallbackRead(Schema):
    id: uuid.UUID
    conversation_id: uuid.UUID = Field(serialization_alias="conversationId")
    reason: str
    channel: str
    status: str
    requested_at: dt.datetime = Field(serialization_alias="requestedAt")
    done_at: dt.datetime | None = Field(serialization_alias="doneAt")


class CallbackList(Schema):
    items: list[CallbackRead]


class ContactRead(Schema):
    method: Literal["phone", "email"]
    value: str
    preferred_time: str | None = Field(serialization_alias="preferredTime")


class SettingsRead(Schema):
    hours: str
    holidays: list[str]
    capacity: int
    reclaim_seconds: int = Field(serialization_alias="reclaimSeconds")
    abandon_seconds: int = Field(serialization_alias="abandonSeconds")


class SettingsUpdate(Schema):
    hours: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        None
    )
    holidays: list[Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]] | None = Field(
        default=None, max_length=400
    )
    capacity: int | None = Field(default=None, ge=1, le=50)
    reclaim_seconds: int | None = Field(default=None, alias="reclaimSeconds", ge=10, le=86_400)
    abandon_seconds: int | None = Field(default=None, alias="abandonSeconds", ge=60, le=7 * 86_400)


class SessionBody(Schema):
    session_id: SessionToken = Field(alias="sessionId")


class ContactBody(Schema):
    session_id: SessionToken = Field(alias="sessionId")
    method: Literal["phone", "email"]
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=254)]
    preferred_time: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None, alias="preferredTime"
    )

    @model_validator(mode="after")
    def _valid_contact(self) -> "ContactBody":
        value = self.value.translate(str.maketrans("０１２３４５６７８９－＋", "0123456789-+")).replace(
            " ", ""
        )
        if self.method == "phone" and not PHONE.match(value):
            raise ValueError("電話番号の形式が正しくありません（例: 090-1234-5678）")
        if self.method == "email" and not EMAIL.match(value):
            raise ValueError("メールアドレスの形式が正しくありません")
        self.value = value
        return self


def handoff_read(item: HandoffItem) -> HandoffRead:
    handoff = item.handoff
    return HandoffRead(
        id=handoff.id,
        conversation_id=handoff.session_id,
        reason=handoff.reason,
        channel=handoff.channel,
        status=handoff.status,
        waiting_seconds=item.waiting_seconds,
        operator=item.operator,
        operator_id=handoff.operator_id,
        outcome=handoff.outcome,
        preview=item.preview,
        queued_at=handoff.queued_at,
        claimed_at=handoff.claimed_at,
        resolved_at=handoff.resolved_at,
        callback_requested=handoff.callback_requested_at is not None,
    )


def detail_read(detail: HandoffDetail) -> HandoffDetailRead:
    return HandoffDetailRead(
        handoff=handoff_read(detail.item),
        messages=[TranscriptMessageRead.model_validate(message) for message in detail.messages],
        notes=[note_read(note, author) for note, author in detail.notes],
    )


def note_read(note: HandoffNote, author: str | None) -> NoteRead:
    return NoteRead(id=note.id, kind=note.kind, text=note.text, author=author, created_at=note.created_at)


def presence_read(member: StaffPresence) -> PresenceRead:
    return PresenceRead(
        user_id=member.user.id,
        display_name=member.user.display_name,
        role=member.user.role,
        status=member.status,
        capacity=member.capacity,
        active=member.active,
    )


def callback_read(handoff: Handoff) -> CallbackRead:
    assert handoff.callback_requested_at is not None
    return CallbackRead(
        id=handoff.id,
        conversation_id=handoff.session_id,
        reason=handoff.reason,
        channel=handoff.channel,
        status=handoff.status,
        requested_at=handoff.callback_requested_at,
        done_at=handoff.callback_done_at,
    )


class DayFiguresRead(Schema):
    date: dt.date
    requests: int
    abandoned: int
    missed: int
    wait_p50_seconds: float | None = Field(serialization_alias="waitP50Seconds")
    first_response_p50_seconds: float | None = Field(serialization_alias="firstResponseP50Seconds")


class OperatorFiguresRead(Schema):
    operator: str
    conversations: int
    resolved: int


class HandoffStatsRead(Schema):
    from_: dt.date = Field(serialization_alias="from")
    to: dt.date
    timezone: str
    waiting: int = Field(description="Waiting now")
    requests: int
    resolved: int
    abandoned: int
    missed: int
    wait_p50_seconds: float | None = Field(serialization_alias="waitP50Seconds")
    wait_p90_seconds: float | None = Field(serialization_alias="waitP90Seconds")
    first_response_p50_seconds: float | None = Field(serialization_alias="firstResponseP50Seconds")
    first_response_p90_seconds: float | None = Field(serialization_alias="firstResponseP90Seconds")
    days: list[DayFiguresRead]
    operators: list[OperatorFiguresRead]
