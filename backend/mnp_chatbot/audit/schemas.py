import datetime as dt
import uuid
from typing import Any

from pydantic import Field

from mnp_chatbot.core.schemas import Schema


class AuditLogRead(Schema):
    id: int
    actor_id: uuid.UUID | None = Field(serialization_alias="actorId")
    action: str
    target_type: str | None = Field(serialization_alias="targetType")
    target_id: str | None = Field(serialization_alias="targetId")
    details: dict[str, Any]
    created_at: dt.datetime = Field(serialization_alias="createdAt")
    client_address: str | None = Field(
        serialization_alias="clientAddress", description="Nulled after DATA_RETENTION_DAYS"
    )
    chain_seq: int = Field(serialization_alias="chainSeq")
    row_hash: str = Field(serialization_alias="rowHash")


class AuditChainRead(Schema):
    ok: bool
    checked: int = Field(description="Entries whose hash and link were checked")
    head_hash: str = Field(serialization_alias="headHash", description="Keep it elsewhere to spot a rewrite")
    broken_at: int | None = Field(
        serialization_alias="brokenAt", description="chainSeq of the first bad entry"
    )
    reason: str | None = Field(description="missing_entry, broken_link or content_changed")


class AuditLogPage(Schema):
    items: list[AuditLogRead]
    next_before_id: int | None = Field(
        serialization_alias="nextBeforeId", description="Pass as beforeId to get the next (older) page"
    )
