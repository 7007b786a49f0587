"""The "try a question" bench: what the bot would answer to a first message, and the ranking behind it.

Runs the same decision as a customer's first turn (`chat.engine.decide` with an empty conversation)
against the live knowledge snapshot; nothing is stored.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from mnp_chatbot.chat import composer, context, engine
from mnp_chatbot.chat.reply import Reply
from mnp_chatbot.core import clock
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.faq.retrieval import Hit
from mnp_chatbot.faq.snapshot import FaqView
from mnp_chatbot.masking import masker

FIRST_TURN = engine.Conversation(context.Slots(), None)


@dataclass(frozen=True, slots=True)
class RankedEntry:
    rank: int
    entry: FaqView
    hit: Hit


@dataclass(frozen=True, slots=True)
class BenchResult:
    question: str  # masked: the bench echoes no personal data
    query: str  # what was searched (the question, or its expansion), masked
    reply: Reply
    ranking: tuple[RankedEntry, ...]
    knowledge_version: str
    thresholds: composer.Thresholds


class Bench:
    def __init__(self, index: KnowledgeIndex, *, today: Callable[[], dt.date] = clock.today_jst) -> None:
        self.index = index
        self.today = today

    def try_question(self, question: str, *, limit: int) -> BenchResult:
        snapshot = self.index.snapshot
        masked = masker.mask_pii(question).text
        decision = engine.decide(question, masked, FIRST_TURN, snapshot, today=self.today())
        query = decision.query or question
        ranking = tuple(
            RankedEntry(rank, snapshot.entries[hit.entry_id], hit)
            for rank, hit in enumerate(snapshot.search(query)[:limit], start=1)
        )
        thresholds = composer.DEFAULT_THRESHOLDS
        echoed = masker.mask_pii(query).text
        return BenchResult(masked, echoed, decision.reply, ranking, snapshot.version, thresholds)
