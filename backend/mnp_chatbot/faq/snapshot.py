"""The knowledge snapshot: FAQ entries, carriers and the retriever built over them, and the per-message
analyses answered from them. Pure: built from plain data (the live index in `faq/index.py` reads the
database, the clock and Redis), so answering can be tested without any of them.
"""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from mnp_chatbot.chat import direction
from mnp_chatbot.chat.intent import Reading, read
from mnp_chatbot.faq.retrieval import DenseRanking, Hit, IndexedEntry, Retriever, RetrieverConfig
from mnp_chatbot.japanese.brands import find_brands
from mnp_chatbot.knowledge.schemas import CarrierDocument
from mnp_chatbot.navigator.parsing import extract_slots, wants_navigator

SEARCH_DEPTH = 10
MEMO_LIMIT = 20_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FaqView:
    """What answering needs of one FAQ entry, detached from the database session."""

    id: str
    slug: str
    question: str
    answer: str
    category: str
    brands: tuple[str, ...]
    verified: bool
    official_url: str | None
    sources: tuple[Mapping[str, Any], ...]
    as_of: dt.date
    # Which way the entry looks at each of its brands (leaving / joining), read from its question when the
    # snapshot is built: quick replies follow the customer's direction (issue 18).
    directions: Mapping[str, direction.Direction] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KnowledgeSnapshot:
    """Immutable knowledge; the question-level analyses are memoised per snapshot (customers repeat
    themselves), and a new snapshot starts with an empty memo."""

    version: str
    retriever: Retriever
    entries: Mapping[str, FaqView]
    carriers: Mapping[str, CarrierDocument]
    built_at: dt.datetime
    memo: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)

    def _memoised(self, kind: str, text: str, compute: Callable[[], T]) -> T:
        key = (kind, text)
        if key not in self.memo:
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            self.memo[key] = compute()
        value: T = self.memo[key]
        return value

    @property
    def carrier_list(self) -> list[CarrierDocument]:
        return list(self.carriers.values())

    def search(self, query: str, dense: DenseRanking | None = None) -> tuple[Hit, ...]:
        """The best SEARCH_DEPTH entries for a question, best first (fused with `dense` when given)."""
        if dense is not None:
            return tuple(self.retriever.search(query, limit=SEARCH_DEPTH, dense=dense))
        return self._memoised(
            "search", query, lambda: tuple(self.retriever.search(query, limit=SEARCH_DEPTH))
        )

    def brands_in(self, text: str) -> tuple[CarrierDocument, ...]:
        mentions = lambda: tuple(m.carrier for m in find_brands(text, self.carrier_list))  # noqa: E731
        return self._memoised("brands", text, mentions)

    def stated_slots(self, text: str) -> dict[str, str]:
        return dict(self._memoised("slots", text, lambda: extract_slots(text, self.carrier_list)))

    def reading(self, text: str) -> Reading:
        """What the message asks (brands, roles, attribute, channel, own topic): see `chat.intent`."""
        return self._memoised("reading", text, lambda: read(text, self.carrier_list))

    def directions(self, text: str) -> dict[str, direction.Direction]:
        """Which way the message looks at each brand it names (leaving or joining): see `chat.direction`."""
        found = lambda: direction.of_text(text, self.carrier_list)  # noqa: E731
        return dict(self._memoised("directions", text, found))

    def wants_navigator(self, text: str) -> bool:
        return self._memoised("navigator", text, lambda: wants_navigator(text, self.carrier_list))


def build(
    version: str,
    entries: Sequence[tuple[IndexedEntry, FaqView]],
    carriers: Sequence[CarrierDocument],
    *,
    synonyms: Sequence[Sequence[str]],
    built_at: dt.datetime,
) -> KnowledgeSnapshot:
    """A snapshot of `entries` (each as the retriever indexes it and as answering shows it)."""
    config = RetrieverConfig(
        synonyms=[list(group) for group in synonyms],
        brand_aliases={carrier.id: [carrier.name, *carrier.aliases] for carrier in carriers},
    )
    retriever = Retriever.build([indexed for indexed, _ in entries], config)
    return KnowledgeSnapshot(
        version=version,
        retriever=retriever,
        entries={view.id: with_directions(view, carriers) for _, view in entries},
        carriers={carrier.id: carrier for carrier in carriers},
        built_at=built_at,
    )


def with_directions(view: FaqView, carriers: Sequence[CarrierDocument]) -> FaqView:
    if not view.brands:
        return view
    return replace(view, directions=direction.of_text(view.question, carriers, brands=view.brands))
