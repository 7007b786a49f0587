"""Calibrated confidence that a retrieved FAQ entry answers the query.

BM25 scores only rank within one query, so confidence is built from evidence that has the same meaning
for every query, then passed through a logistic function whose coefficients were fitted by
`python -m scripts.bench_retrieval --calibrate` (see that script for the data and the fit):

- `word_coverage`: the idf-weighted share of the query's content words (and synonym concepts) that occur
  in the entry, anywhere. A word that no entry contains counts with the highest idf, so an out-of-domain
  question (「今日の天気は？」) covers little of itself.
- `title_coverage`: the same share, counting only the question, alternates and keywords.
- `char_coverage`: the idf-weighted share of the query's character bigrams found in the entry, which still
  credits typos and unknown words that the tokenizer split oddly.
- `relative_score`: the hit's fused score over the best hit's, so lower ranks get lower confidence.
- `margin`: how far the hit is ahead of the next one, relative to its own score; a clear winner is more
  likely right than one of several near-ties.

The fit labels a hit right only when it is the very entry a held-out alternate came from, so on the MNP
base the model is conservative: on the dev questions the top hit's mean confidence is about 0.57 while
about 0.9 of top hits answer the question. Measured on held-out data (see the script's output), a
threshold of 0.5 passes about 85% of dev top hits (about 94% of them right) and 1% of out-of-domain
questions; 0.3 passes every dev top hit and about 5% of out-of-domain ones. So: answer at >= 0.5,
ask a clarifying question with the suggestions between 0.3 and 0.5, and offer a human below 0.3.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Evidence:
    word_coverage: float
    title_coverage: float
    char_coverage: float
    relative_score: float
    margin: float

    def features(self) -> tuple[float, float, float, float, float]:
        return (self.word_coverage, self.title_coverage, self.char_coverage, self.relative_score, self.margin)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Logistic model: confidence = sigmoid(intercept + sum(weight_i x feature_i))."""

    intercept: float
    weights: tuple[float, float, float, float, float]

    def confidence(self, evidence: Evidence) -> float:
        logit = self.intercept + sum(w * x for w, x in zip(self.weights, evidence.features(), strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(logit, 40.0), -40.0)))


# Fitted by `python -m scripts.bench_retrieval --calibrate` (4,128 labelled hits; see that script).
DEFAULT_CALIBRATION = Calibration(intercept=-6.333, weights=(1.966, 0.341, 0.263, 3.952, 1.318))


def coverage(found: npt.NDArray[np.bool_], idf: Sequence[float]) -> npt.NDArray[np.float64]:
    """Per document (column of `found`), the idf-weighted share of the query terms (rows) it contains."""
    weights = np.asarray(idf, dtype=np.float64)
    total = float(weights.sum())
    if total <= 0:
        return np.zeros(found.shape[1], dtype=np.float64)
    return np.asarray(weights @ found, dtype=np.float64) / total
