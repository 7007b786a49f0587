"""The LLM answer mode: the model writes the answer from the retrieved sources, streamed and guarded.

    curated FAQ / clarify decision ─ prompt ─ cache (faq:llm:…) ─ hit ──→ the stored guarded text
                                                                └ miss ─→ model deltas ─ number gate ─→ deltas
    any failure (LlmFailure, guard, deadline, bug) ─→ AnswerReset if text went out ─→ the curated reply

The customer never sees an error because the model failed: the curated ladder is always the fallback.

The cache is shared by every conversation, so it holds only answers to a prompt without history, keyed on
everything the model saw: one customer's earlier messages never reach another customer's answer.
"""

import contextlib
import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace

from mnp_chatbot.chat import composer, guard, prompting
from mnp_chatbot.chat.engine import Decision
from mnp_chatbot.chat.events import AnswerDelta, AnswerReset
from mnp_chatbot.chat.reply import Mode, Reply, SourceRef, japanese_dates
from mnp_chatbot.core import metrics
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.redis import Store
from mnp_chatbot.faq.snapshot import FaqView, KnowledgeSnapshot
from mnp_chatbot.japanese.text import normalize
from mnp_chatbot.llm.exceptions import FailureReason, LlmFailure
from mnp_chatbot.llm.prompts import Prompt
from mnp_chatbot.llm.protocols import ChatModel, PromptMessage

log = get_logger(__name__)
CACHE_PREFIX = "faq:llm:"
CACHE_TTL = 3600
SOURCE_CHARS = 1200


@dataclass(frozen=True, slots=True)
class Answered:
    """The last event of an LLM turn: the reply to store (an LLM reply, or the curated one)."""

    reply: Reply


@dataclass(frozen=True, slots=True)
class Grounding:
    refs: tuple[SourceRef, ...]
    sources: tuple[prompting.PromptSource, ...]

    @property
    def texts(self) -> list[str]:
        return [f"{source.question}\n{source.text}" for source in self.sources]


def cache_key(messages: Sequence[PromptMessage], *, version: str, variant: Sequence[str]) -> str:
    """`faq:llm:` + a digest of every message the model sees (customer text normalised), the knowledge
    version and `variant` (prompt version, model, source ids)."""
    seen = [[m.role, normalize(m.content) if m.role == "user" else m.content] for m in messages]
    basis = json.dumps([seen, version, list(variant)], ensure_ascii=False)
    return CACHE_PREFIX + hashlib.sha256(basis.encode()).hexdigest()


def shareable(history: Sequence[prompting.Turn]) -> bool:
    """Only a prompt without earlier turns may be answered from, or into, the shared cache."""
    return not history


def chunks(text: str) -> list[str]:
    parts = text.splitlines(keepends=True)
    return [part for part in parts if part] or [text]


class LlmAnswerer:
    def __init__(
        self,
        model: ChatModel,
        store: Store,
        prompt: Prompt,
        *,
        cache_ttl: int = CACHE_TTL,
        max_sources: int = 3,
        thresholds: composer.Thresholds = composer.DEFAULT_THRESHOLDS,
    ) -> None:
        self.model = model
        self.store = store
        self.prompt = prompt
        self.cache_ttl = cache_ttl
        self.max_sources = max_sources
        self.thresholds = thresholds

    def applies(self, decision: Decision) -> bool:
        """An FAQ answer, or a clarifying question with candidates: something the sources can ground."""
        mode = decision.reply.mode
        if mode is Mode.FAQ:
            return bool(decision.reply.sources)
        related = self.thresholds.related
        return mode is Mode.CLARIFY and any(hit.confidence >= related for hit in decision.hits)

    def ground(self, decision: Decision, snapshot: KnowledgeSnapshot) -> Grounding:
        """The numbered sources: the curated answer first (with its brand facts), then related entries."""
        refs: list[SourceRef] = []
        sources: list[prompting.PromptSource] = []
        curated = decision.reply
        if curated.mode is Mode.FAQ and curated.sources:
            best = curated.sources[0]
            refs.append(best)
            sources.append(prompting.PromptSource(best.faq_id, best.question, curated.text[:SOURCE_CHARS]))
        for hit in decision.hits:
            entry = snapshot.entries.get(hit.entry_id)
            if len(refs) >= self.max_sources or entry is None or hit.confidence < self.thresholds.related:
                continue
            if all(ref.faq_id != entry.id for ref in refs):
                refs.append(composer.source_of(entry))
                sources.append(prompting.PromptSource(entry.id, entry.question, entry_text(entry)))
        return Grounding(tuple(refs), tuple(sources))

    async def stream(
        self,
        decision: Decision,
        *,
        masked: str,
        snapshot: KnowledgeSnapshot,
        history: Sequence[prompting.Turn] = (),
    ) -> AsyncIterator[AnswerDelta | AnswerReset | Answered]:
        """The deltas of the answer, an `AnswerReset` if a streamed answer is withdrawn, then `Answered`."""
        grounding = self.ground(decision, snapshot)
        slots = decision.slots.as_dict()
        names = {carrier.id: carrier.name for carrier in snapshot.carriers.values()}
        messages = prompting.build_messages(
            masked, grounding.sources, history, slots, system=self.prompt.text, names=names
        )
        variant = [self.prompt.version, self.model.name, *(ref.faq_id for ref in grounding.refs)]
        key = cache_key(messages, version=snapshot.version, variant=variant) if shareable(history) else None
        cached = await self._cached(key) if key is not None else None
        if cached is not None:
            for part in chunks(cached):
                yield AnswerDelta(part)
            yield Answered(self._reply(decision.reply, cached, grounding, cached=True))
            return
        gate = guard.NumberGate(grounding.texts)
        streamed = False
        try:
            async for text in self._guarded(messages, gate):
                streamed = True
                yield AnswerDelta(text)
            if guard.echoes(gate.text, self.prompt.text, allowed=grounding.texts):
                raise LlmFailure(FailureReason.GUARD)  # the model repeated its instructions
        except Exception as error:
            reason = self._record_failure(error, gate)
            if streamed:
                yield AnswerReset()
            for part in chunks(decision.reply.text):
                yield AnswerDelta(part)
            extra = {**decision.reply.extra, "llm_fallback": reason.value}
            yield Answered(replace(decision.reply, extra=extra))
            return
        answer = gate.text.strip()
        if key is not None:
            await self._remember(key, answer)
        yield Answered(self._reply(decision.reply, answer, grounding, cached=False))

    async def _guarded(self, messages: Sequence[PromptMessage], gate: guard.NumberGate) -> AsyncIterator[str]:
        deltas = self.model.stream(messages)
        try:
            async for delta in deltas:
                released = gate.feed(delta)
                if gate.failed:
                    raise LlmFailure(FailureReason.GUARD)
                if released:
                    yield released
        finally:
            close = getattr(deltas, "aclose", None)
            if close is not None:
                await close()
        rest = gate.finish()
        if gate.failed:
            raise LlmFailure(FailureReason.GUARD)
        if not gate.text.strip():
            raise LlmFailure(FailureReason.EMPTY)
        if rest:
            yield rest

    def _record_failure(self, error: Exception, gate: guard.NumberGate) -> FailureReason:
        reason = error.reason if isinstance(error, LlmFailure) else FailureReason.ERROR
        metrics.LLM_FAILURES.labels(reason=reason.value).inc()
        if reason is FailureReason.GUARD:
            log.warning("llm.answer.rejected", model=self.model.name, offending=len(gate.offending))
        elif reason is FailureReason.ERROR:
            log.exception("llm.answer.crashed", model=self.model.name, error=type(error).__name__)
        else:
            log.warning("llm.answer.failed", model=self.model.name, reason=reason.value)
        return reason

    def _reply(self, curated: Reply, text: str, grounding: Grounding, *, cached: bool) -> Reply:
        extra = {**curated.extra, "prompt_version": self.prompt.version, "model": self.model.name}
        if cached:
            extra["cached"] = True
        text = japanese_dates(text)
        return replace(curated, text=text, mode=Mode.LLM, sources=grounding.refs, extra=extra)

    async def _cached(self, key: str) -> str | None:
        try:
            raw = await self.store.get(key)
        except Exception as error:  # a cache outage costs a model call, never the answer
            log.warning("llm.cache.unavailable", error=type(error).__name__)
            return None
        if raw is None:
            return None
        with contextlib.suppress(ValueError, KeyError, TypeError):
            text = json.loads(raw)["text"]
            if isinstance(text, str) and text:
                return text
        return None

    async def _remember(self, key: str, text: str) -> None:
        value = json.dumps({"text": text, "prompt_version": self.prompt.version}, ensure_ascii=False)
        try:
            await self.store.set(key, value.encode(), ttl=self.cache_ttl)
        except Exception as error:
            log.warning("llm.cache.unavailable", error=type(error).__name__)


def entry_text(entry: FaqView) -> str:
    """A related entry as the model reads it: with Japanese dates, as the customer will read them."""
    return japanese_dates(f"{entry.answer.strip()[:SOURCE_CHARS]}\n{composer.as_of_line(entry)}")
