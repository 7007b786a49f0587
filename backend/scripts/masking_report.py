"""Per-kind precision, recall and F1 of the personal-data masker over its labelled corpus, and its speed.

Run from backend/: `.venv/bin/python -m scripts.masking_report [--misses]`.
"""

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from mnp_chatbot.masking.masker import PiiKind, mask_pii
from scripts.evaluation import masking as evaluation

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "masking" / "corpus.yaml"
# A typical long customer turn (about 200 characters) with a few pieces of personal data.
LONG_TURN = (
    "ドコモからauに乗り換えたいです。予約番号は1234567890で、電話番号は090-0123-4567です。"
    "手数料は3,850円と聞きましたが、2023年5月24日からワンストップ方式になったそうですね。"
    "iPhone 15を使っています。受付時間は9:00〜20:00ですか？名前は山田太郎、"
    "住所は東京都千代田区千代田1-1-1です。よろしくお願いします。"
)


def print_scores(title: str, cases: Sequence[evaluation.LabelledCase], *, misses: bool) -> None:
    scores = evaluation.score(cases)
    negatives = sum(not case.labels for case in cases)
    print(f"\n{title}: {len(cases)} messages ({negatives} without personal data)")
    print(f"{'kind':<16}{'labels':>7}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}{'F1':>7}")
    for kind in PiiKind:
        s = scores[kind]
        labels = s.true_positives + s.false_negatives
        print(
            f"{kind:<16}{labels:>7}{s.true_positives:>5}{s.false_positives:>5}{s.false_negatives:>5}"
            f"{s.precision:>11.3f}{s.recall:>8.3f}{s.f1:>7.3f}"
        )
        if misses:
            for text, value in s.misses:
                print(f"    missed       {value!r} in {text!r}")
            for text, value in s.false_alarms:
                print(f"    false alarm  {value!r} in {text!r}")


def mean_ms(texts: Sequence[str], *, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            mask_pii(text)
    return (time.perf_counter() - started) * 1000 / (rounds * len(texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list every missed and false finding")
    args = parser.parse_args()
    with CORPUS.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    development = evaluation.parse_corpus(document)
    holdout = evaluation.parse_corpus(document["holdout"])
    print_scores("Development set", development, misses=args.misses)
    print_scores("Held-out set", holdout, misses=args.misses)
    print_scores("Whole corpus", development + holdout, misses=args.misses)
    texts = [case.text for case in development + holdout]
    print(
        f"\nMean masking time per corpus message ({sum(map(len, texts)) / len(texts):.0f} chars on average): "
        f"{mean_ms(texts, rounds=20):.3f} ms"
    )
    print(f"Mean masking time for a {len(LONG_TURN)}-char turn: {mean_ms([LONG_TURN], rounds=2000):.3f} ms")


if __name__ == "__main__":
    main()
