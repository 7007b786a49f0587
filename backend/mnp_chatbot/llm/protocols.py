"""What the rest of the service needs of a language model; `llm/openai.py` implements it on `AsyncOpenAI`."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias

Role: TypeAlias = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class PromptMessage:
    role: Role
    content: str


class ChatModel(Protocol):
    name: str

    def stream(self, messages: Sequence[PromptMessage]) -> AsyncIterator[str]:
        """The reply's text deltas; raises `LlmFailure` when the model cannot answer."""
        ...


class Embedder(Protocol):
    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...
