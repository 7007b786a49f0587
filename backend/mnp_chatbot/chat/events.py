"""A reply as a sequence of typed events; transports (REST, socket.io, LINE) only translate them."""

import uuid
from dataclasses import dataclass

from mnp_chatbot.chat.reply import Reply
from mnp_chatbot.handoff.status import CustomerStatus


@dataclass(frozen=True, slots=True)
class TurnResult:
    session_token: str
    message_id: str
    reply: Reply | None  # None: an operator holds the conversation and the bot stays silent
    conversation_id: uuid.UUID | None = None
    handoff: CustomerStatus | None = None


@dataclass(frozen=True, slots=True)
class AnswerStarted:
    session_token: str


@dataclass(frozen=True, slots=True)
class AnswerDelta:
    text: str


@dataclass(frozen=True, slots=True)
class AnswerReset:
    """Discard the text streamed so far (a streamed LLM answer failed its guard); the final text follows."""


@dataclass(frozen=True, slots=True)
class AnswerDone:
    result: TurnResult


ChatEvent = AnswerStarted | AnswerDelta | AnswerReset | AnswerDone
