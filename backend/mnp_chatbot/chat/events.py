"""A reply as a sequence of typed events; transports (REST, socket.io, LINE) only translate them."""

from dataclasses import dataclass

from mnp_chatbot.chat.reply import Reply


@dataclass(frozen=True, slots=True)
class TurnResult:
    session_token: str
    message_id: str
    reply: Reply


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
