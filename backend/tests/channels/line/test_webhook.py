"""The webhook end to end: a text message in, the engine's answer out through LINE's API."""

from tests.channels.line.conftest import LineApp
from tests.channels.line.support import Events, body, signed
from tests.fixtures.app import SettingsFactory
from tests.fixtures.line_server import PUSH, FakeLine


async def test_text_message_is_answered_by_reply(line_app: LineApp, line_server: FakeLine) -> None:
    user = Events()
    token = line_server.reply_token()
    await line_app.send(user.text("予約番号の有効期限は何日？", reply_token=token))
    [delivered] = line_server.delivered
    assert delivered.via == "reply"
    assert delivered.to == token
    text = "\n".join(m.get("text", "") for m in delivered.messages)
    assert "15日" in text
    assert line_server.calls(PUSH) == []


async def test_conversation_continues_across_messages(line_app: LineApp, line_server: FakeLine) -> None:
    user = Events()
    await line_app.send(user.text("ドコモから乗り換えたい", reply_token=line_server.reply_token()))
    await line_app.send(user.text("手数料はいくら？", reply_token=line_server.reply_token()))
    async with line_app.resources.pool.acquire() as db:
        conversations = await db.fetchval("SELECT count(*) FROM conversations WHERE channel = 'line'")
        messages = await db.fetchval("SELECT count(*) FROM messages")
        stored = await db.fetchval(
            "SELECT string_agg(token_hash || coalesce(external_user_hash, ''), '') FROM conversations"
        )
    assert conversations == 1
    assert messages == 4
    assert user.user not in stored


async def test_channel_is_off_without_secret_and_token(make_settings: SettingsFactory) -> None:
    from tests.channels.line.conftest import open_line_app

    async for opened in open_line_app(make_settings(LINE_CHANNEL_SECRET="only-a-secret")):
        raw = body(Events().text("こんにちは"))
        response = await opened.post(raw, signed(raw))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "line_channel_off"
