"""Console request bodies (issue 16 item 10): the large import limit only on the two import routes, and
the caller's token checked before anything reads a body."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mnp_chatbot.core.config import Settings
from mnp_chatbot.editorial.router import IMPORT_PATHS
from tests.admin.support import Console

KB = 1024


def faq(answer_chars: int) -> dict[str, Any]:
    return {
        "slug": "test-body-limit",
        "category": "basics",
        "question": "本文の大きさの上限を試す質問ですか？",
        "alternates": ["本文の上限を試す", "リクエストの大きさを試す"],
        "answer": "あ" * answer_chars,
        "sources": [{"title": "テスト用の出典"}],
        "asOf": "2026-11-29",
        "verification": "official",
    }


class Recorded:
    """A request body that notes whether the server read any of it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.read = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.read = True
        yield self.data


async def test_item10_console_bodies_over_64_kb_are_refused_except_on_the_import_routes(
    client: httpx.AsyncClient, console: Console, settings: Settings
) -> None:
    assert settings.MAX_BODY_BYTES == 64 * KB
    headers = await console.headers("admin")
    big = faq(40 * KB)  # about 120 KB of UTF-8
    response = await client.post("/api/admin/faqs", json=big, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    user = await client.patch(
        f"/api/admin/users/{console.ids['admin']}", json={"displayName": "あ" * 40_000}, headers=headers
    )
    assert user.status_code == 413

    data = json.dumps([big, {**big, "slug": "test-body-limit-2"}], ensure_ascii=False).encode()
    assert len(data) > 200 * KB
    for path in IMPORT_PATHS:
        imported = await client.post(
            path, params={"format": "json", "dryRun": "true"}, content=data, headers=headers
        )
        assert imported.status_code != 413, imported.text


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        ("POST", "/api/admin/faqs", b"{not json"),
        ("POST", "/api/admin/faqs/import?format=yaml", b"- slug: x\n" * 1000),
        ("PUT", "/api/admin/carriers/docomo", b"[" * 10_000),
        ("POST", "/api/admin/users", b'{"email": "x@example.jp"}'),
        ("POST", "/api/admin/gaps/faq-draft", b"{}"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YWRtaW46YWRtaW4="])
async def test_item10_console_routes_authenticate_before_reading_the_body(
    client: httpx.AsyncClient, method: str, path: str, content: bytes, authorization: str | None
) -> None:
    body = Recorded(content)
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = await client.request(method, path, content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert body.read is False
