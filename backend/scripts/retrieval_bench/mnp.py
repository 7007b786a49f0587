"""The MNP knowledge base as the retriever sees it, and the dev question set."""

import json
from pathlib import Path

from mnp_chatbot.faq.retrieval import IndexedEntry, Retriever, RetrieverConfig
from mnp_chatbot.knowledge import loader
from mnp_chatbot.knowledge.schemas import FaqDocument
from scripts.evaluation.answers import EvalCase, RetrievalScore, score_retrieval
from tests.fixtures import shared

DEV_SET = shared.DEV_SET  # ../shared beside the checkout, as the tests find it


def indexed(entry: FaqDocument) -> IndexedEntry:
    return IndexedEntry(
        id=entry.slug,
        question=entry.question,
        alternates=tuple(entry.alternates),
        keywords=tuple(entry.keywords),
        answer=entry.answer,
        brands=tuple(entry.brands),
        category=str(entry.category),
    )


def entries() -> list[IndexedEntry]:
    return [indexed(entry) for entry in loader.load_faqs()]


def config() -> RetrieverConfig:
    """The production configuration: shipped synonyms and the carrier table's names and aliases."""
    aliases = {carrier.id: (carrier.name, *carrier.aliases) for carrier in loader.load_carriers()}
    synonyms = tuple(tuple(group.terms) for group in loader.load_synonyms())
    return RetrieverConfig(synonyms=synonyms, brand_aliases=aliases)


def load_cases(path: Path) -> list[EvalCase]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [EvalCase.from_json(json.loads(line)) for line in lines if line.strip()]


def score_dev(retriever: Retriever, cases: list[EvalCase]) -> RetrievalScore:
    answers = {entry.id: entry.answer for entry in retriever.entries}
    rankings = [
        (case, [answers[hit.entry_id] for hit in retriever.search(case.q, limit=10)]) for case in cases
    ]
    return score_retrieval(rankings)
