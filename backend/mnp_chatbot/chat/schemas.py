"""Bodies of the chat API (DESIGN.md §7) and their validation."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, computed_field, field_validator

from mnp_chatbot.chat.reply import is_rateable
from mnp_chatbot.chat.tokens import TOKEN_PATTERN
from mnp_chatbot.core import validation
from mnp_chatbot.core.schemas import Schema
from mnp_chatbot.masking import masker

MAX_MESSAGE_CHARS = 1000
MAX_COMMENT_CHARS = 500

SessionToken = Annotated[str, StringConstraints(pattern=TOKEN_PATTERN)]
Comment = Annotated[str, StringConstraints(max_length=MAX_COMMENT_CHARS), validation.Storable]


def masked_id(value: str) -> str:
    """Ids are stored, so a digit run that reads as personal data is masked (the same way on every retry)."""
    return masker.mask_pii(value).text[:64]


ClientMessageId = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,64}$"), AfterValidator(masked_id)
]


def clean_message(value: str) -> str:
    text = validation.storable(value).strip()
    if not text:
        raise ValueError("メッセージを入力してください")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValueError(f"メッセージは{MAX_MESSAGE_CHARS}文字以内で入力してください")
    return text


class ChatRequest(Schema):
    message: str = Field(description=f"The customer's message, 1–{MAX_MESSAGE_CHARS} characters")
    session_id: SessionToken | None = Field(default=None, alias="sessionId")
    client_message_id: ClientMessageId | None = Field(default=None, alias="clientMessageId")
    channel: Literal["web", "widget"] = Field(
        default="web",
        description="Where the customer chats: the site's chat page or the widget framed in another site "
        "(recorded when the conversation starts)",
    )

    @field_validator("message")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_message(value)


class SourceRead(Schema):
    faq_id: str = Field(serialization_alias="faqId")
    question: str
    url: str | None = None
    as_of: str | None = Field(default=None, serialization_alias="asOf")
    verified: bool = True


class ReplyRead(Schema):
    text: str
    sources: list[SourceRead]
    confidence: float
    quick_replies: list[str] = Field(serialization_alias="quickReplies")
    handoff: bool
    mode: str
    rateable: bool = Field(description="Whether the reply answers something the customer can rate (👍/👎)")


class HandoffStateRead(Schema):
    """Where the conversation's hand-off stands, as the customer may see it."""

    status: str = Field(description="waiting | active | resolved | abandoned | missed")
    operator: str | None = Field(default=None, description="The operator's display name while active")
    position: int | None = Field(default=None, description="1 = next, while waiting")
    estimated_wait_seconds: int | None = Field(default=None, serialization_alias="estimatedWaitSeconds")
    open: bool = Field(description="Within business hours")
    operators_online: bool = Field(serialization_alias="operatorsOnline")
    hours: str
    callback_offered: bool = Field(serialization_alias="callbackOffered")
    callback_left: bool = Field(serialization_alias="callbackLeft")


class ChatResponse(Schema):
    session_id: str = Field(serialization_alias="sessionId")
    message_id: str = Field(serialization_alias="messageId")
    reply: ReplyRead | None = Field(description="null while an operator holds the conversation")
    handoff: HandoffStateRead | None = None


class MessageRead(Schema):
    id: uuid.UUID
    role: str
    text: str
    mode: str | None
    sources: list[SourceRead]
    quick_replies: list[str] = Field(serialization_alias="quickReplies")
    confidence: float | None
    handoff: bool
    author: str | None = Field(default=None, description="The operator's display name (role operator)")
    created_at: dt.datetime = Field(serialization_alias="createdAt")
    feedback: Literal["up", "down"] | None = Field(default=None, description="The customer's 👍/👎, if given")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rateable(self) -> bool:
        """Whether the customer can rate this message: answers only, not the navigator's questions."""
        return self.role == "assistant" and is_rateable(self.mode)


class HistoryResponse(Schema):
    session_id: str = Field(serialization_alias="sessionId")
    messages: list[MessageRead]
    handoff: HandoffStateRead | None = None


class FeedbackCreate(Schema):
    rating: Literal["up", "down"]
    comment: Comment | None = None
    session_id: SessionToken = Field(alias="sessionId")


class FeedbackRead(Schema):
    message_id: uuid.UUID = Field(serialization_alias="messageId")
    rating: Literal["up", "down"]
