"""The parts of LINE's webhook body the bot reads (webhook.yml of line-openapi); anything else is ignored,
so LINE's non-breaking additions never break parsing."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

LineId = Annotated[str, StringConstraints(pattern=r"^[UCR][0-9a-f]{32}$")]
EventId = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_-]{1,128}$")]


class LineModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class WebhookBody(LineModel):
    destination: Annotated[str, StringConstraints(max_length=64)]
    events: list[dict[str, Any]] = Field(max_length=100)


class Source(LineModel):
    type: Literal["user", "group", "room"]
    user_id: LineId | None = Field(default=None, alias="userId")
    group_id: LineId | None = Field(default=None, alias="groupId")
    room_id: LineId | None = Field(default=None, alias="roomId")

    @property
    def is_user(self) -> bool:
        return self.type == "user" and self.user_id is not None

    @property
    def chat_id(self) -> str | None:
        """Where a push to this chat goes."""
        return self.group_id or self.room_id or self.user_id


class DeliveryContext(LineModel):
    is_redelivery: bool = Field(default=False, alias="isRedelivery")


class MessageContent(LineModel):
    id: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{1,64}$")]
    type: Annotated[str, StringConstraints(max_length=32)]
    text: str | None = None


class Postback(LineModel):
    data: Annotated[str, StringConstraints(max_length=300)]


class Unsend(LineModel):
    message_id: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{1,64}$")] = Field(alias="messageId")


class LineEvent(LineModel):
    type: Annotated[str, StringConstraints(max_length=32)]
    timestamp: int = Field(ge=0)
    mode: Annotated[str, StringConstraints(max_length=16)] = "active"
    webhook_event_id: EventId = Field(alias="webhookEventId")
    delivery_context: DeliveryContext = Field(default_factory=DeliveryContext, alias="deliveryContext")
    source: Source | None = None
    reply_token: Annotated[str, StringConstraints(max_length=256)] | None = Field(
        default=None, alias="replyToken"
    )
    message: MessageContent | None = None
    postback: Postback | None = None
    unsend: Unsend | None = None

    @property
    def kind(self) -> str:
        """`message/text`, `message/sticker` … or the event type."""
        return f"message/{self.message.type}" if self.type == "message" and self.message else self.type

    def summary(self) -> dict[str, Any]:
        """What is kept in clear: nothing personal (no user id, no text)."""
        return {
            "kind": self.kind,
            "mode": self.mode,
            "timestamp": self.timestamp,
            "redelivery": self.delivery_context.is_redelivery,
            "source": self.source.type if self.source else None,
            "messageId": self.message.id if self.message else None,
        }
