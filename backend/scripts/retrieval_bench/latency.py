"""Build time, memory and query latency of the retriever, on the MNP base and on a synthetic large base."""

import gc
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import psutil

from mnp_chatbot.faq.retrieval import IndexedEntry, Retriever, RetrieverConfig

# Words spliced into recombined sentences, so the synthetic base has a realistic, growing vocabulary.
_FILLERS = (
    "店頭",
    "Web",
    "アプリ",
    "電話",
    "平日",
    "土日",
    "夜間",
    "家族",
    "法人",
    "学生",
    "シニア",
    "海外",
    "端末",
    "SIM",
    "eSIM",
    "料金",
    "割引",
    "ポイント",
    "契約",
    "名義",
    "手続き",
    "確認",
    "書類",
    "本人",
)
_KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"


@dataclass(frozen=True, slots=True)
class Timing:
    build_seconds: float
    rss_delta_mb: float
    index_mb: float
    p50_ms: float
    p99_ms: float
    cpu_p50_ms: float  # CPU time of the searching thread: what other processes on the machine do not inflate
    cpu_p99_ms: float
    queries: int


def synthetic_entries(
    seed_entries: Sequence[IndexedEntry], size: int, *, seed: int = 20240601
) -> list[IndexedEntry]:
    """`size` entries recombined from the seed entries' sentences with varied words; deterministic."""
    rng = random.Random(seed)
    questions = [q for e in seed_entries for q in (e.question, *e.alternates)]
    sentences = [s + "。" for e in seed_entries for s in e.answer.split("。") if s.strip()]
    brands = sorted({b for e in seed_entries for b in e.brands}) or ["docomo"]
    return [_synthetic(i, rng, questions, sentences, brands) for i in range(size)]


def _synthetic(
    i: int, rng: random.Random, questions: list[str], sentences: list[str], brands: list[str]
) -> IndexedEntry:
    coined = "".join(rng.choices(_KATAKANA, k=4))  # an unseen product-like word
    filler = rng.choice(_FILLERS)
    return IndexedEntry(
        id=f"syn-{i}",
        question=f"{rng.choice(questions)}（{filler}・{coined}）",
        alternates=tuple(rng.sample(questions, 2)),
        keywords=(filler, coined),
        answer=" ".join(rng.sample(sentences, 3)) + f" {coined}プランは{rng.randint(1, 99) * 110}円です。",
        brands=(rng.choice(brands),) if rng.random() < 0.4 else (),
    )


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def measure(
    entries: Sequence[IndexedEntry], config: RetrieverConfig, queries: Sequence[str], *, rounds: int = 1
) -> tuple[Retriever, Timing]:
    """Build once (timed, RSS before and after), warm up, then time every query `rounds` times."""
    Retriever.build(entries[:2], config).search(
        "予約番号"
    )  # libraries and the dictionary load once per process
    gc.collect()
    before = _rss_mb()
    started = time.perf_counter()
    retriever = Retriever.build(entries, config)
    build = time.perf_counter() - started
    gc.collect()
    rss = _rss_mb() - before
    wall, cpu = _latencies(lambda q: retriever.search(q, limit=10), queries, rounds)
    p50, p99 = np.percentile(wall, [50, 99])
    cpu50, cpu99 = np.percentile(cpu, [50, 99])
    index_mb = retriever.index_bytes / 2**20
    return retriever, Timing(
        build, rss, index_mb, float(p50), float(p99), float(cpu50), float(cpu99), len(wall)
    )


def _latencies(
    search: Callable[[str], object], queries: Sequence[str], rounds: int
) -> tuple[list[float], list[float]]:
    for query in queries[:20]:
        search(query)
    wall, cpu = [], []
    for _ in range(rounds):
        for query in queries:
            started, started_cpu = time.perf_counter(), time.thread_time()
            search(query)
            cpu.append((time.thread_time() - started_cpu) * 1000.0)
            wall.append((time.perf_counter() - started) * 1000.0)
    return wall, cpu
