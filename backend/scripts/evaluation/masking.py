"""Scores the masker against a labelled corpus: per-kind precision, recall and F1.

A finding counts as correct when its kind and its exact text match a label of the same case; the
corpus format is described at the top of `tests/masking/corpus.yaml`.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from mnp_chatbot.masking.kinds import PiiKind
from mnp_chatbot.masking.masker import Masked, mask_pii

Label: TypeAlias = tuple[PiiKind, str]


@dataclass(frozen=True, slots=True)
class LabelledCase:
    text: str
    labels: tuple[Label, ...]


@dataclass(slots=True)
class KindScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    false_alarms: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def parse_corpus(document: Mapping[str, Any]) -> list[LabelledCase]:
    """Cases from the parsed YAML corpus: positives with their labels, then negatives with none."""
    positives = [
        LabelledCase(item["text"], tuple((PiiKind(kind), value) for kind, value in item["spans"]))
        for item in document["positives"]
    ]
    return positives + [LabelledCase(text, ()) for text in document["negatives"]]


def found_labels(text: str, masked: Masked) -> tuple[Label, ...]:
    return tuple((span.kind, text[span.start : span.end]) for span in masked.spans)


def score(
    cases: Iterable[LabelledCase], mask: Callable[[str], Masked] = mask_pii
) -> dict[PiiKind, KindScore]:
    scores = {kind: KindScore() for kind in PiiKind}
    for case in cases:
        _score_case(case, found_labels(case.text, mask(case.text)), scores)
    return scores


def _score_case(case: LabelledCase, found: Sequence[Label], scores: dict[PiiKind, KindScore]) -> None:
    expected, actual = Counter(case.labels), Counter(found)
    for label in expected | actual:
        kind, value = label
        hits = min(expected[label], actual[label])
        score = scores[kind]
        score.true_positives += hits
        score.false_negatives += expected[label] - hits
        score.false_positives += actual[label] - hits
        if expected[label] > hits:
            score.misses.append((case.text, value))
        if actual[label] > hits:
            score.false_alarms.append((case.text, value))
