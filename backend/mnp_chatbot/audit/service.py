"""The audit trail: who did what to which object, appended to `audit_logs` and never holding content.

Details are limited to scalars; strings are masked and cut short, so a caller cannot put a customer's
message (or a password, or a token) in the trail by mistake. A database trigger refuses UPDATE, DELETE and
TRUNCATE on the table (except nulling `client_address`, which the retention purge does after
DATA_RETENTION_DAYS), and the app's runtime role does not own the table, so it cannot disable the trigger.
Rows are chained by hash in the database; `verify` walks the chain and names the first row that does not
match.
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.audit.models import AuditLog
from mnp_chatbot.audit.repository import AuditLogRepository
from mnp_chatbot.core.clock import JST
from mnp_chatbot.masking import masker

GENESIS_HASH = "0" * 64
MAX_DETAIL_CHARS = 120
MAX_DETAILS = 16
DetailValue = str | int | float | bool | None


class AuditAction(StrEnum):
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    REFRESH_REUSED = "auth.refresh_reused"
    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_DISABLED = "user.disabled"
    SESSIONS_REVOKED = "user.sessions_revoked"
    FAQ_CREATED = "faq.created"
    FAQ_UPDATED = "faq.updated"
    FAQ_DELETED = "faq.deleted"
    FAQ_REVIEW_REQUESTED = "faq.review_requested"
    FAQ_REVIEW_APPROVED = "faq.review_approved"
    FAQ_REVIEW_REJECTED = "faq.review_rejected"
    CARRIER_UPDATED = "carrier.updated"
    TRANSCRIPT_VIEWED = "transcript.viewed"
    DATA_EXPORTED = "data.exported"
    DATA_DELETED = "data.deleted"
    SETTING_CHANGED = "setting.changed"
    RETENTION_PURGED = "retention.purged"
    KEYS_ROTATED = "encryption.reencrypted"
    HANDOFF_CLAIMED = "handoff.claimed"
    HANDOFF_TRANSFERRED = "handoff.transferred"
    HANDOFF_RESOLVED = "handoff.resolved"
    HANDOFF_RELEASED = "handoff.released"
    HANDOFF_NOTE_ADDED = "handoff.note_added"
    HANDOFF_CONTACT_VIEWED = "handoff.contact_viewed"
    HANDOFF_CALLBACK_DONE = "handoff.callback_done"
    HANDOFF_SETTINGS_CHANGED = "handoff.settings_changed"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    action: AuditAction
    actor_id: uuid.UUID | None = None
    target_type: str | None = None
    target_id: str | None = None
    details: Mapping[str, DetailValue] = field(default_factory=dict)
    client: str | None = None  # the client's address; aged out with DATA_RETENTION_DAYS


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of walking the audit chain; `broken_at` is the first chain_seq that does not match."""

    ok: bool
    checked: int
    head_hash: str
    broken_at: int | None = None
    reason: str | None = None


def clean_details(details: Mapping[str, DetailValue]) -> dict[str, DetailValue]:
    """Scalars only, at most MAX_DETAILS of them; strings masked and cut to MAX_DETAIL_CHARS."""
    cleaned: dict[str, DetailValue] = {}
    for name, value in list(details.items())[:MAX_DETAILS]:
        if isinstance(value, str):
            value = masker.mask_pii(value).text[:MAX_DETAIL_CHARS]
        elif value is not None and not isinstance(value, int | float | bool):
            raise TypeError(f"audit detail {name!r} must be a scalar")
        cleaned[str(name)[:40]] = value
    return cleaned


class AuditTrail:
    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    async def record(self, session: AsyncSession, event: AuditEvent) -> AuditLog | None:
        """Append `event` in the caller's unit of work (nothing when ENABLE_AUDIT_LOGS is off)."""
        if not self.enabled:
            return None
        entry = AuditLog(
            actor_id=event.actor_id,
            action=event.action.value,
            target_type=event.target_type,
            target_id=event.target_id,
            details=clean_details(event.details),
            client_address=event.client[:64] if event.client else None,
        )
        return await AuditLogRepository(session).add(entry)

    async def verify(self, session: AsyncSession) -> ChainReport:
        """Walk the chain: each row's hash must match its content and name the previous row's hash, and
        the sequence must have no gap (a removed row)."""
        previous, expected_seq, checked = GENESIS_HASH, 1, 0
        async for row in AuditLogRepository(session).chain():
            reason = None
            if row.seq != expected_seq:
                reason = "missing_entry"
            elif row.prev_hash != previous:
                reason = "broken_link"
            elif row.recomputed != row.row_hash:
                reason = "content_changed"
            if reason is not None:
                return ChainReport(False, checked, previous, broken_at=row.seq, reason=reason)
            previous, expected_seq, checked = row.row_hash, row.seq + 1, checked + 1
        return ChainReport(True, checked, previous)

    async def page(
        self,
        session: AsyncSession,
        *,
        limit: int,
        before_id: int | None = None,
        action: str | None = None,
        actor_id: uuid.UUID | None = None,
        first: dt.date | None = None,
        last: dt.date | None = None,
    ) -> list[AuditLog]:
        """Newest first; `first` and `last` are whole days in Japan time."""
        since = dt.datetime.combine(first, dt.time(), tzinfo=JST) if first else None
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=JST) if last else None
        return await AuditLogRepository(session).list_page(
            limit=limit, before_id=before_id, action=action, actor_id=actor_id, since=since, until=until
        )
