"""LocalgovFAQ (Amagasaki city) runs, read at run time from the shared directory and never copied.

Protocols as the last section of the data's README prescribes; MNP synonyms and brand preference off.
"""

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mnp_chatbot.faq.retrieval import IndexedEntry, Retriever, RetrieverConfig
from scripts.evaluation import answers as ev
from tests.fixtures.shared import SHARED

DEFAULT_DATA = SHARED / "bench" / "localgovfaq"
LINE_BREAK_MARKER = "＜改＞"

Qrels = dict[str, dict[str, int]]

# Published rows, from the data's README (table B: derivative, 749 queries; table A: paper, 627 queries).
PUBLISHED_DERIVATIVE = {
    "bm25-kuromoji": "recall@10=0.600 p@10=0.137 ndcg@10=0.494",
    "multilingual-e5-large": "recall@10=0.682 p@10=0.158 ndcg@10=0.571",
}
PUBLISHED_PAPER = {
    "tsubaki-qQ": "map=0.558 mrr=0.598 p@5=0.297 sr@1=0.504 sr@5=0.734 ndcg=0.501",
    "bert-qA": "map=0.576 mrr=0.631 p@5=0.333 sr@1=0.509 sr@5=0.810 ndcg=0.560",
    "tsubaki+bert-qQA": "map=0.647 mrr=0.705 p@5=0.357 sr@1=0.612 sr@5=0.841 ndcg=0.621",
}


@dataclass(frozen=True, slots=True)
class Collection:
    questions: list[str]
    answers: list[str]
    queries: dict[str, str]
    qrels: Qrels

    def entries(
        self, *, question: bool = True, answer: bool = True, whole: bool = False
    ) -> list[IndexedEntry]:
        """Entries in numeric id order (so position ties break by id), with the chosen fields."""
        rows = zip(self.questions, self.answers, strict=True)
        if whole:
            return [IndexedEntry(id=str(i), question=f"{q}\n{a}") for i, (q, a) in enumerate(rows)]
        return [
            IndexedEntry(id=str(i), question=q if question else "", answer=a if answer else "")
            for i, (q, a) in enumerate(rows)
        ]


def load(directory: Path) -> Collection:
    corpus = json.loads((directory / "corpus.json").read_text(encoding="utf-8"))
    questions, answers = [], []
    for doc_id in sorted(corpus, key=int):
        question, answer = corpus[doc_id].split("\nAnswer: ", 1)
        questions.append(question.removeprefix("Question: ").strip())
        answers.append(answer.strip().replace(LINE_BREAK_MARKER, "\n"))
    queries = json.loads((directory / "queries.json").read_text(encoding="utf-8"))
    qrels = json.loads((directory / "qrels.json").read_text(encoding="utf-8"))
    return Collection(
        questions, answers, queries, {q: {d: int(g) for d, g in r.items()} for q, r in qrels.items()}
    )


def benchmark_config(base: RetrieverConfig | None = None) -> RetrieverConfig:
    """The production settings with the MNP-specific parts (synonyms, brands) switched off."""
    base = base or RetrieverConfig()
    return replace(
        base,
        synonyms=(),
        brand_aliases={},
        use_synonyms=False,
        brand_boost=0.0,
        other_brand_penalty=0.0,
        unbranded_query_penalty=0.0,
    )


SUBSETS: dict[str, Callable[[str], bool]] = {
    "even": lambda qid: int(qid) % 2 == 0,
    "odd": lambda qid: int(qid) % 2 == 1,
    "all": lambda qid: True,
}


def rankings(retriever: Retriever, collection: Collection) -> dict[str, list[str]]:
    return {
        qid: [h.entry_id for h in retriever.search(text, limit=10)]
        for qid, text in collection.queries.items()
    }


def derivative_metrics(ranked: Sequence[str], grades: dict[str, int]) -> dict[str, float]:
    return {
        "recall@10": ev.recall_at(ranked, grades, k=10),
        "p@10": ev.precision_at(ranked, grades, k=10),
        "ndcg@10": ev.ndcg(ranked, grades, k=10, ideal_cutoff=10),
    }


def paper_metrics(ranked: Sequence[str], grades: dict[str, int]) -> dict[str, float]:
    levels = {doc: grade + 1 for doc, grade in grades.items()}  # grade 2 -> level 3, grade 1 -> level 2
    metrics = {f"sr@{k}": ev.success_at(ranked, grades, k=k) for k in (1, 3, 5)}
    metrics |= {f"p@{k}": ev.precision_at(ranked, grades, k=k) for k in (1, 3, 5)}
    metrics["map"] = ev.average_precision_found(ranked, grades, k=10)
    metrics["mrr"] = ev.reciprocal_rank(ranked, grades, k=10)
    metrics["ndcg"] = ev.ndcg(ranked, levels, k=10, ideal_cutoff=None)
    return metrics


def mean_by_subset(
    ranked: dict[str, list[str]],
    qrels: Qrels,
    metric: Callable[[Sequence[str], dict[str, int]], dict[str, float]],
) -> Iterator[tuple[str, dict[str, float]]]:
    for subset, keep in SUBSETS.items():
        rows = [metric(ranked[qid], qrels[qid]) for qid in ranked if keep(qid)]
        yield subset, {name: sum(row[name] for row in rows) / len(rows) for name in rows[0]}
