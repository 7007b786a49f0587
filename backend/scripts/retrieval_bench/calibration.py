"""Fits the confidence model (`mnp_chatbot.faq.confidence.Calibration`) and checks it on held-out data.

Labelled hits (the top three of each query, with the retriever's evidence) come from three sources:

- LocalgovFAQ, even query ids only, on the benchmark configuration: label = the hit is judged relevant.
- The MNP base, alternates held out in five folds: each alternate is removed from its entry, the index is
  rebuilt, and the alternate is asked; label = the hit is the entry it came from.
- Out-of-domain questions against the MNP base: LocalgovFAQ's even queries (city-hall questions that no
  MNP entry answers) and a few hand-written ones; label = 0.

The model is a logistic regression with a small L2 penalty, fitted by Newton's method. It is checked on
what it never saw: LocalgovFAQ odd ids, odd ids as out-of-domain questions, and the MNP dev set (a hit is
right when its answer passes the case, hedge aside).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from mnp_chatbot.faq.confidence import Calibration
from mnp_chatbot.faq.retrieval import Hit, IndexedEntry, Retriever, RetrieverConfig
from scripts.evaluation.answers import EvalCase, passes
from scripts.retrieval_bench import localgov

Sample = tuple[tuple[float, ...], int]
Line = Callable[[str, dict[str, float]], None]

FOLDS = 5
TOP = 3
OFF_TOPIC = (
    "今日の天気は？",
    "おすすめのラーメン屋を教えて",
    "東京タワーの高さは何メートル？",
    "明日の株価はどうなる？",
    "円周率を100桁教えて",
    "美味しいカレーの作り方",
    "確定申告のやり方がわからない",
    "プロ野球の試合結果",
    "新幹線の予約方法",
    "英語の勉強法を教えて",
)


def run(
    collection: localgov.Collection | None,
    entries: Sequence[IndexedEntry],
    config: RetrieverConfig,
    dev: Sequence[EvalCase],
    line: Line,
) -> Calibration:
    if collection is None:
        raise SystemExit("calibration needs the LocalgovFAQ data (--data)")
    mnp = Retriever.build(entries, config)
    train = _localgov(collection, localgov.SUBSETS["even"]) + _held_out(entries, config)
    train += _off_topic(mnp, [*_queries(collection, "even"), *OFF_TOPIC])
    fitted = fit(train)
    fit_line = {"samples": float(len(train)), "intercept": fitted.intercept} | _named(fitted.weights)
    line("calibration/fit", fit_line)
    odd = localgov.SUBSETS["odd"]
    checks = {
        "localgov-odd-top3": _localgov(collection, odd),
        "localgov-odd-top1": _localgov(collection, odd, top=1),
        "out-of-domain-odd-top1": _off_topic(mnp, _queries(collection, "odd"), top=1),
        "mnp-dev-top3": _dev(mnp, dev),
        "mnp-dev-top1": _dev(mnp, dev, top=1),
    }
    for name, samples in checks.items():
        line(f"calibration/check/{name}", report(fitted, samples))
    return fitted


def _named(weights: Sequence[float]) -> dict[str, float]:
    names = ("w_word_coverage", "w_title_coverage", "w_char_coverage", "w_relative_score", "w_margin")
    return dict(zip(names, weights, strict=True))


def hit_features(hit: Hit) -> tuple[float, ...]:
    return hit.evidence.features()


def _queries(collection: localgov.Collection, subset: str) -> list[str]:
    keep = localgov.SUBSETS[subset]
    return [text for qid, text in collection.queries.items() if keep(qid)]


def _localgov(
    collection: localgov.Collection, keep: Callable[[str], bool], *, top: int = TOP
) -> list[Sample]:
    retriever = Retriever.build(collection.entries(), localgov.benchmark_config())
    samples: list[Sample] = []
    for qid, text in collection.queries.items():
        if keep(qid):
            relevant = collection.qrels[qid]
            hits = retriever.search(text, limit=top)
            samples += [(hit_features(h), int(h.entry_id in relevant)) for h in hits]
    return samples


def _held_out(entries: Sequence[IndexedEntry], config: RetrieverConfig) -> list[Sample]:
    asked = [(entry.id, alternate) for entry in entries for alternate in entry.alternates]
    samples: list[Sample] = []
    for fold in range(FOLDS):
        held = {pair for i, pair in enumerate(asked) if i % FOLDS == fold}
        kept = [
            replace(e, alternates=tuple(a for a in e.alternates if (e.id, a) not in held)) for e in entries
        ]
        retriever = Retriever.build(kept, config)
        for entry_id, alternate in held:
            hits = retriever.search(alternate, limit=TOP)
            samples += [(hit_features(h), int(h.entry_id == entry_id)) for h in hits]
    return samples


def _off_topic(retriever: Retriever, queries: Iterable[str], *, top: int = TOP) -> list[Sample]:
    return [(hit_features(h), 0) for query in queries for h in retriever.search(query, limit=top)]


def _dev(retriever: Retriever, cases: Sequence[EvalCase], *, top: int = TOP) -> list[Sample]:
    answers = {entry.id: entry.answer for entry in retriever.entries}
    return [
        (hit_features(h), int(passes(answers[h.entry_id], case, check_hedge=False)))
        for case in cases
        for h in retriever.search(case.q, limit=top)
    ]


def _matrix(samples: Sequence[Sample]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    x = np.array([[1.0, *features] for features, _ in samples], dtype=np.float64)
    y = np.array([label for _, label in samples], dtype=np.float64)
    return x, y


def fit(samples: Sequence[Sample], *, l2: float = 1e-3, steps: int = 50) -> Calibration:
    """Logistic regression by Newton's method; the intercept is not penalised."""
    x, y = _matrix(samples)
    w = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * l2 * len(y)
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + penalty @ w
        hessian = (x.T * (p * (1 - p))) @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    rounded = [round(float(v), 3) for v in w]
    return Calibration(
        intercept=rounded[0], weights=(rounded[1], rounded[2], rounded[3], rounded[4], rounded[5])
    )


def report(calibration: Calibration, samples: Sequence[Sample]) -> dict[str, float]:
    """Brier score, expected calibration error (10 bins), AUC, and what an answer threshold would pass."""
    x, y = _matrix(samples)
    p = 1.0 / (1.0 + np.exp(-(x @ np.array([calibration.intercept, *calibration.weights]))))
    bins = np.minimum((p * 10).astype(int), 9)
    gaps = [
        abs(p[bins == b].mean() - y[bins == b].mean()) * (bins == b).mean()
        for b in range(10)
        if (bins == b).any()
    ]
    metrics = {
        "samples": float(len(y)),
        "positive_rate": float(y.mean()),
        "mean_confidence": float(p.mean()),
        "brier": float(((p - y) ** 2).mean()),
        "ece": float(sum(gaps)),
        "auc": _auc(p, y),
    }
    for threshold in (0.3, 0.5):
        passed = p >= threshold
        metrics[f"share>={threshold}"] = float(passed.mean())
        metrics[f"right_if>={threshold}"] = float(y[passed].mean()) if passed.any() else float("nan")
    return metrics


def _auc(p: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    positives, negatives = p[y == 1], p[y == 0]
    if not len(positives) or not len(negatives):
        return float("nan")
    wins = (positives[:, None] > negatives[None, :]).sum() + 0.5 * (
        positives[:, None] == negatives[None, :]
    ).sum()
    return float(wins / (len(positives) * len(negatives)))
