"""Knowledge imports cannot stall the server (issue 16 item 4): a YAML alias bomb is refused before it is
expanded, files are capped, and parsing runs off the event loop, so the service keeps answering."""

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.knowledge import formats
from mnp_chatbot.knowledge.formats import Format, KnowledgeFileInvalid
from mnp_chatbot.knowledge.schemas import FaqDocument
from tests.auth.support import create_account
from tests.fixtures.app import SettingsFactory
from tests.fixtures.server import ServerThread


def alias_bomb(depth: int = 8, width: int = 9) -> bytes:
    """One list entry whose fields reference the previous one `width` times: width**depth leaves once
    expanded, from a few hundred bytes."""
    leaves = ",".join(["lol"] * width)
    lines = [f"- l0: &l0 [{leaves}]"]
    for level in range(1, depth + 1):
        refs = ",".join([f"*l{level - 1}"] * width)
        lines.append(f"  l{level}: &l{level} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


class Liveness:
    """Polls /health/live from a thread and keeps the slowest answer it saw."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.slowest = 0.0
        self.answered = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        with httpx.Client(timeout=5) as http:
            while not self.stop.is_set():
                started = time.perf_counter()
                assert http.get(f"{self.url}/health/live").status_code == 200
                self.slowest = max(self.slowest, time.perf_counter() - started)
                self.answered += 1
                time.sleep(0.02)

    def __enter__(self) -> "Liveness":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


@pytest.fixture
def server(make_settings: SettingsFactory) -> Iterator[ServerThread]:
    with ServerThread(
        make_settings(RATE_LIMIT_MAX_REQUESTS=10_000, CONSOLE_RATE_LIMIT_MAX_REQUESTS=10_000)
    ) as running:
        yield running


async def staff_headers(db: async_sessionmaker[AsyncSession], server: ServerThread) -> dict[str, str]:
    account = await create_account(db, "admin")  # FAQ import is for admins
    body = {"email": account.email, "password": account.password}
    login = httpx.post(f"{server.url}/api/auth/login", json=body, timeout=30)
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['accessToken']}"}


@pytest.mark.parametrize("dry_run", [False, True])
async def test_item04_a_yaml_alias_bomb_is_refused_quickly_while_the_server_keeps_answering(
    server: ServerThread, db: async_sessionmaker[AsyncSession], dry_run: bool
) -> None:
    headers = await staff_headers(db, server) | {"Content-Type": "application/yaml"}
    bomb = alias_bomb()
    assert len(bomb) < 512
    with Liveness(server.url) as live:
        time.sleep(0.1)
        started = time.perf_counter()
        response = httpx.post(
            f"{server.url}/api/admin/faqs/import",
            params={"dryRun": str(dry_run).lower()},
            content=bomb,
            headers=headers,
            timeout=30,
        )
        elapsed = time.perf_counter() - started
        time.sleep(0.1)
    assert response.status_code == 422, response.text
    assert "エイリアス" in response.json()["error"]["message"]
    assert elapsed < 1.0
    assert live.answered >= 5
    assert live.slowest < 0.5


class TestFileCaps:
    def test_anchors_are_refused_even_without_aliases(self) -> None:
        with pytest.raises(KnowledgeFileInvalid, match="アンカー"):
            formats.parse(b"- &one {slug: a}\n", Format.YAML, FaqDocument)

    @pytest.mark.parametrize(
        ("data", "fmt"),
        [
            (b"[" * 50_000, Format.JSON),
            (b"- " * 5_000 + b"x\n", Format.YAML),
            (b"[" * 5_000 + b"]" * 5_000, Format.YAML),
        ],
    )
    def test_deep_nesting_is_one_file_problem(self, data: bytes, fmt: Format) -> None:
        with pytest.raises(KnowledgeFileInvalid) as caught:
            formats.parse(data, fmt, FaqDocument)
        assert [problem.row for problem in caught.value.problems] == [0]

    @pytest.mark.parametrize("fmt", list(Format))
    def test_too_many_entries_are_refused_before_validation(self, fmt: Format) -> None:
        many = {
            Format.YAML: b"- {}\n" * (formats.MAX_ENTRIES + 1),
            Format.JSON: b"[" + b",".join([b"{}"] * (formats.MAX_ENTRIES + 1)) + b"]",
            Format.CSV: b"slug\n" + b"x\n" * (formats.MAX_ENTRIES + 1),
        }[fmt]
        with pytest.raises(KnowledgeFileInvalid, match="多すぎます"):
            formats.parse(many, fmt, FaqDocument)

    def test_a_cell_over_the_csv_field_limit_is_a_file_problem(self) -> None:
        data = b"slug,answer\nx," + b"a" * 200_000 + b"\n"
        with pytest.raises(KnowledgeFileInvalid, match="CSV"):
            formats.parse(data, Format.CSV, FaqDocument)
