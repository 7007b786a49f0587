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


class AuditLogPage(Schema):
    items: list[AuditLogRead]
    next_before_id: int | None = Field(
        serialization_alias="nextBeforeId", description="Pass as beforeId to get the next (older) page"
    )
