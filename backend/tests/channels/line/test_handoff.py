"""A LINE customer in the operators' queue: the same hand-off as the web chat, operator replies by push."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from tests.admin.support import Console, json_of
from tests.channels.line.conftest import LineApp
from tests.channels.line.support import Events
from tests.fixtures.line_server import PUSH, FakeLine


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def test_an_operator_takes_over_a_line_conversation_and_replies_by_push(
    line_app: LineApp, line_server: FakeLine, db: async_sessionmaker[AsyncSession]
) -> None:
    http = line_app.http
    operator = await Console(http, db).headers("operator")
    presence = await http.put("/api/admin/operators/me/presence", json={"status": "online"}, headers=operator)
    json_of(presence)
    user = Events()
    await line_app.send(user.text("オペレーターと話したい", reply_token=line_server.reply_token()))

    waiting = json_of(await http.get("/api/admin/handoffs?status=waiting", headers=operator))["items"]
    [item] = [entry for entry in waiting if entry["channel"] == "line"]
    json_of(await http.post(f"/api/admin/handoffs/{item['id']}/claim", headers=operator))
    pushes_before = len(line_server.calls(PUSH))
    sent = await http.post(
        f"/api/admin/handoffs/{item['id']}/messages",
        json={"text": "担当の者です。ご用件をどうぞ"},
        headers=operator,
    )
    json_of(sent, 201)

    pushed = line_server.calls(PUSH)[pushes_before:]
    assert any("担当の者です。ご用件をどうぞ" in text for text in line_server.texts_to(user.user))
    assert pushed, "the operator's message went out by push"
    assert all(call.headers.get("x-line-retry-key") for call in pushed)
