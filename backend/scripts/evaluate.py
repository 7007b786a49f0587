"""`make eval`: retrieval metrics and the answer pass rate on the development question sets.

Answers are scored from `reply.text` of `POST /api/chat`, one fresh session per question, exactly as
`shared/eval/README.md` defines; retrieval counts an entry as a hit when its answer text passes the case
(hedge check off). The app runs in-process on a scratch embedded database, or against `--url`.

Dialogue sets (`{"id", "turns": [...]}` lines) are sent turn by turn in one session; a dialogue passes when
every turn passes on its own reply. Prints one line per set: `NAME metric=value …`, then the failures.
"""

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from mnp_chatbot.cli import run_migrations
from mnp_chatbot.container import Services
from mnp_chatbot.core import db, embedded_db
from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.logging import configure_logging
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.knowledge import loader, seeding
from mnp_chatbot.main import create_app
from scripts.evaluation.answers import EvalCase, passes, score_retrieval
from scripts.evaluation.replay import Dialogue, is_dialogue_set, read_jsonl

BACKEND = Path(__file__).resolve().parents[1]
SHARED_EVAL = BACKEND.parents[1] / "shared" / "eval"
DEFAULT_SETS = [
    SHARED_EVAL / "dev.jsonl",
    SHARED_EVAL / "dev-2.jsonl",
    SHARED_EVAL / "dialogues.jsonl",
    *sorted((BACKEND / "eval").glob("*.jsonl")),
]


EVAL_RATE_LIMIT = 1_000_000


def load_cases(path: Path) -> list[EvalCase]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [EvalCase.from_json(json.loads(line)) for line in lines if line.strip()]


def load_dialogues(path: Path) -> list[Dialogue] | None:
    """The dialogues of a set, or None when the set holds single questions."""
    rows = read_jsonl(path)
    return [Dialogue.from_json(row) for row in rows] if is_dialogue_set(rows) else None


async def dialogue_texts(http: httpx.AsyncClient, dialogue: Dialogue) -> list[str]:
    texts: list[str] = []
    session: str | None = None
    for turn in dialogue.turns:
        body = {"message": turn.q, **({"sessionId": session} if session else {})}
        response = await http.post("/api/chat", json=body)
        ok = response.status_code == 200
        session = response.json()["sessionId"] if ok else session
        texts.append(response.json()["reply"]["text"] if ok else "")
    return texts


async def report_dialogues(http: httpx.AsyncClient, name: str, dialogues: Sequence[Dialogue]) -> int:
    passed = 0
    failures: list[str] = []
    for dialogue in dialogues:
        texts = await dialogue_texts(http, dialogue)
        verdicts = [passes(text, turn) for text, turn in zip(texts, dialogue.turns, strict=True)]
        passed += all(verdicts)
        for turn, text, ok in zip(dialogue.turns, texts, verdicts, strict=True):
            if not ok:
                failures.append(f"  FAIL {turn.id} {turn.q!r} -> {text[:120]!r}".replace("\n", " "))
    print(f"{name} dialogues={len(dialogues)} dialogue_pass_rate={passed / len(dialogues):.3f}")
    for failure in failures:
        print(failure)
    return passed


async def report_set(http: httpx.AsyncClient, path: Path, index: KnowledgeIndex | None) -> None:
    dialogues = load_dialogues(path)
    if dialogues is not None:
        await report_dialogues(http, path.stem, dialogues)
        return
    cases = load_cases(path)
    report(path.stem, cases, await answer_texts(http, cases), index)


async def answer_texts(http: httpx.AsyncClient, cases: Sequence[EvalCase]) -> list[str]:
    texts = []
    for case in cases:
        response = await http.post("/api/chat", json={"message": case.q})
        texts.append(response.json()["reply"]["text"] if response.status_code == 200 else "")
    return texts


def ranked_answers(index: KnowledgeIndex, question: str) -> list[str]:
    snapshot = index.snapshot
    return [snapshot.entries[hit.entry_id].answer for hit in snapshot.retriever.search(question, limit=10)]


def report(name: str, cases: Sequence[EvalCase], texts: Sequence[str], index: KnowledgeIndex | None) -> int:
    passed = [passes(text, case) for case, text in zip(cases, texts, strict=True)]
    line = f"{name} cases={len(cases)} answer_pass_rate={sum(passed) / len(cases):.3f}"
    if index is not None:
        rankings = [(case, ranked_answers(index, case.q)) for case in cases]
        score = score_retrieval(rankings)
        line += f" hit@1={score.hit_at_1:.3f} mrr={score.mrr:.3f} recall@5={score.recall_at_5:.3f}"
    print(line)
    refused = sum(1 for text in texts if not text)
    if refused:
        print(f"  {refused} questions got no reply (an error status): the pass rate above is not the bot's")
    for case, text, ok in zip(cases, texts, passed, strict=True):
        if not ok:
            print(f"  FAIL {case.id} {case.q!r} -> {text[:120]!r}".replace("\n", " "))
    return sum(passed)


async def evaluate_in_process(sets: Sequence[Path]) -> None:
    with tempfile.TemporaryDirectory() as scratch, embedded_db.running(Path(scratch)) as embedded:
        url = embedded.url()
        await asyncio.to_thread(run_migrations, url)
        settings = Settings(
            _env_file=None,
            DATABASE_URL=url,
            DATA_DIR=Path(scratch),
            LOG_LEVEL="error",
            RATE_LIMIT_MAX_REQUESTS=EVAL_RATE_LIMIT,  # one client asks every question of every set
        )
        await _seed(settings)
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=120) as manager:
            index = _index_of(manager)
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://eval") as http:
                for path in sets:
                    await report_set(http, path, index)


def _index_of(manager: LifespanManager) -> KnowledgeIndex:
    state = manager._state  # the lifespan state FastAPI hands to requests
    services = state["services"]
    assert isinstance(services, Services)
    return services.index


async def _seed(settings: Settings) -> None:
    assert settings.DATABASE_URL is not None
    engine = db.create_engine(settings.DATABASE_URL, db.PoolSettings(1, 1))
    async with db.create_sessionmaker(engine).begin() as session:
        await seeding.seed(session, loader.load_faqs(), loader.load_carriers())
    await engine.dispose()


async def evaluate_remote(url: str, sets: Sequence[Path]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for path in sets:
            await report_set(http, path, None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sets", nargs="*", type=Path, default=DEFAULT_SETS)
    parser.add_argument("--url", help="evaluate a running server instead of an in-process app")
    args = parser.parse_args(argv)
    configure_logging("error")
    sets = [path for path in args.sets if path.exists()]
    if args.url:
        asyncio.run(evaluate_remote(args.url, sets))
    else:
        asyncio.run(evaluate_in_process(sets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
