"""Replays question sets and dialogues through the answer engine without a database (pure but for the clock).

A session's state passes from turn to turn exactly as the chat service stores and reloads it
(`Decision.state()` → `load_state`), and the customer's text is masked as the service masks it, so a
replayed reply is the reply `POST /api/chat` gives without an LLM. Used by `make eval` for a fast first
pass and by the test that keeps the answer pass rates above their floors.
"""

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnp_chatbot.chat import engine
from mnp_chatbot.chat.reply import Reply
from mnp_chatbot.faq.index import build_snapshot
from mnp_chatbot.faq.snapshot import KnowledgeSnapshot
from mnp_chatbot.knowledge import loader, seeding
from mnp_chatbot.masking import masker
from scripts.evaluation.answers import EvalCase, passes


def shipped_snapshot(today: dt.date) -> KnowledgeSnapshot:
    """The shipped knowledge base as the live index would hold it on `today` (validity windows applied)."""
    from mnp_chatbot import db_models  # noqa: F401  (every mapper, before FaqEntry objects are made)
    from mnp_chatbot.faq.models import FaqEntry

    documents = [
        d
        for d in loader.load_faqs()
        if (d.valid_from is None or d.valid_from <= today)
        and (d.valid_until is None or d.valid_until >= today)
    ]
    entries = [FaqEntry(id=uuid.uuid5(uuid.NAMESPACE_URL, d.slug), **seeding.faq_row(d)) for d in documents]
    return build_snapshot("replay", entries, loader.load_carriers())


class Session:
    """One customer's conversation held in memory, state stored between turns as the service stores it."""

    def __init__(self, snapshot: KnowledgeSnapshot, today: dt.date) -> None:
        self.snapshot = snapshot
        self.today = today
        self.stored: dict[str, Any] = {}

    def say(self, text: str) -> Reply:
        masked = masker.mask_pii(text).text
        conversation = engine.load_state(json.loads(json.dumps(self.stored)))
        decision = engine.decide(text, masked, conversation, self.snapshot, today=self.today)
        self.stored = decision.state()
        return decision.reply


@dataclass(frozen=True, slots=True)
class Dialogue:
    id: str
    turns: tuple[EvalCase, ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Dialogue":
        turns = tuple(
            EvalCase.from_json({"id": f"{data['id']}#{n}", **turn}) for n, turn in enumerate(data["turns"], 1)
        )
        return cls(id=str(data["id"]), turns=turns)


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    passed: bool
    asked: tuple[str, ...]
    replies: tuple[str, ...]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def is_dialogue_set(rows: Sequence[Mapping[str, Any]]) -> bool:
    return bool(rows) and "turns" in rows[0]


def run_cases(cases: Iterable[EvalCase], snapshot: KnowledgeSnapshot, today: dt.date) -> list[Outcome]:
    """Each question in a fresh session."""
    outcomes = []
    for case in cases:
        text = Session(snapshot, today).say(case.q).text
        outcomes.append(Outcome(case.id, passes(text, case), (case.q,), (text,)))
    return outcomes


def run_dialogues(
    dialogues: Iterable[Dialogue], snapshot: KnowledgeSnapshot, today: dt.date
) -> list[Outcome]:
    """Every turn of a dialogue in one session; a dialogue passes when each turn passes on its own reply."""
    outcomes = []
    for dialogue in dialogues:
        session = Session(snapshot, today)
        texts = [session.say(turn.q).text for turn in dialogue.turns]
        ok = all(passes(text, turn) for text, turn in zip(texts, dialogue.turns, strict=True))
        outcomes.append(Outcome(dialogue.id, ok, tuple(t.q for t in dialogue.turns), tuple(texts)))
    return outcomes


def run_set(path: Path, snapshot: KnowledgeSnapshot, today: dt.date) -> list[Outcome]:
    rows = read_jsonl(path)
    if is_dialogue_set(rows):
        return run_dialogues([Dialogue.from_json(row) for row in rows], snapshot, today)
    return run_cases([EvalCase.from_json(row) for row in rows], snapshot, today)


def pass_rate(outcomes: Sequence[Outcome]) -> float:
    return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 0.0
