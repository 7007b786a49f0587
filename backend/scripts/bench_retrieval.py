"""Retrieval benchmarks: LocalgovFAQ (both protocols), MNP dev retrieval, latency, build time and memory.

Run as `cd backend && .venv/bin/python -m scripts.bench_retrieval` (or `make bench-retrieval`). Every result
is one line `NAME metric=value ...`. LocalgovFAQ is read from `--data` (or $LOCALGOVFAQ_DIR) at run time.
`--calibrate` refits the confidence model (see scripts/retrieval_bench/calibration.py) and prints it.
"""

import argparse
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from mnp_chatbot.faq.retrieval import Retriever
from scripts.retrieval_bench import calibration, latency, localgov, mnp


def line(name: str, metrics: dict[str, float] | Iterable[tuple[str, object]]) -> None:
    pairs = metrics.items() if isinstance(metrics, dict) else metrics
    print(
        name, " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in pairs), flush=True
    )


def run_localgov(collection: localgov.Collection) -> None:
    config = localgov.benchmark_config()
    plain = replace(config, char_weight=0.0, feedback_documents=0, answer_weight=0.0)
    derivative = {
        "derivative/bm25-sudachi-plain": (plain, collection.entries(whole=True)),
        "derivative/hybrid": (config, collection.entries()),
    }
    for name, (cfg, entries) in derivative.items():
        ranked = localgov.rankings(Retriever.build(entries, cfg), collection)
        for subset, metrics in localgov.mean_by_subset(ranked, collection.qrels, localgov.derivative_metrics):
            line(f"{name}/{subset}", metrics)
    for name, published in localgov.PUBLISHED_DERIVATIVE.items():
        print(f"derivative/published/{name} {published}")
    paper = {
        "paper/question-only": collection.entries(answer=False),
        "paper/answer-only": collection.entries(question=False),
        "paper/hybrid": collection.entries(),
    }
    for name, entries in paper.items():
        ranked = localgov.rankings(Retriever.build(entries, config), collection)
        for subset, metrics in localgov.mean_by_subset(ranked, collection.qrels, localgov.paper_metrics):
            line(f"{name}/{subset}", metrics)
    for name, published in localgov.PUBLISHED_PAPER.items():
        print(f"paper/published/{name} {published}")


def run_mnp(dev_set: Path, synthetic_size: int) -> None:
    entries, config = mnp.entries(), mnp.config()
    cases = mnp.load_cases(dev_set) if dev_set.exists() else []
    queries = [case.q for case in cases] + [q for entry in entries for q in entry.alternates]
    retriever, timing = latency.measure(entries, config, queries, rounds=5)
    line(f"latency/mnp-base entries={len(entries)}", _timing(timing))
    if cases:
        score = mnp.score_dev(retriever, cases)
        line(
            f"dev/retrieval cases={score.cases}",
            {"hit@1": score.hit_at_1, "mrr": score.mrr, "recall@5": score.recall_at_5},
        )
    if synthetic_size:
        big = latency.synthetic_entries(entries, synthetic_size)
        _, timing = latency.measure(big, config, queries)
        line(f"latency/synthetic entries={len(big)}", _timing(timing))


def _timing(timing: latency.Timing) -> dict[str, float]:
    return {
        "build_s": timing.build_seconds,
        "rss_delta_mb": timing.rss_delta_mb,
        "index_mb": timing.index_mb,
        "p50_ms": timing.p50_ms,
        "p99_ms": timing.p99_ms,
        "cpu_p50_ms": timing.cpu_p50_ms,
        "cpu_p99_ms": timing.cpu_p99_ms,
        "queries": float(timing.queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default_data = Path(os.environ.get("LOCALGOVFAQ_DIR", localgov.DEFAULT_DATA))
    parser.add_argument("--data", type=Path, default=default_data, help="LocalgovFAQ directory")
    parser.add_argument("--dev", type=Path, default=Path(os.environ.get("MNP_DEV_SET", mnp.DEV_SET)))
    parser.add_argument("--synthetic-size", type=int, default=100_000, help="0 skips the large base")
    parser.add_argument("--only", choices=("localgov", "mnp"), help="run one part")
    parser.add_argument("--calibrate", action="store_true", help="refit and print the confidence model")
    args = parser.parse_args()
    collection = localgov.load(args.data) if args.data.exists() else None
    if args.calibrate:
        calibration.run(collection, mnp.entries(), mnp.config(), mnp.load_cases(args.dev), line)
        return
    if args.only in (None, "localgov"):
        if collection is None:
            print(f"localgov/skipped reason=no-data path={args.data}")
        else:
            run_localgov(collection)
    if args.only in (None, "mnp"):
        run_mnp(args.dev, args.synthetic_size)


if __name__ == "__main__":
    main()
