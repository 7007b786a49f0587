"""The webhook end to end: a text message in, the engine's answer out through LINE's API."""

import uuid

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


async def test_conversation_continues_after_days_of_silence(line_app: LineApp, line_server: FakeLine) -> None:
    user = Events()
    await line_app.send(user.text("ドコモから乗り換えたい", reply_token=line_server.reply_token()))
    await line_app.resources.pool.execute(
        "UPDATE conversations SET last_message_at = now() - interval '10 days'"
    )
    await line_app.send(user.text("手数料はいくら？", reply_token=line_server.reply_token()))
    assert await line_app.resources.pool.fetchval("SELECT count(*) FROM conversations") == 1
    assert await line_app.resources.pool.fetchval("SELECT count(*) FROM messages") == 4
    assert len(line_server.deliveries_for(user.user)) == 2


async def test_customer_exports_and_deletes_their_data_from_line(
    line_app: LineApp, line_server: FakeLine
) -> None:
    user = Events()
    await line_app.send(user.text("予約番号の有効期限は何日？", reply_token=line_server.reply_token()))
    await line_app.send(user.text("データを確認", reply_token=line_server.reply_token()))
    exported = line_server.texts_to(user.user)
    assert any("保存されている会話の記録（2件）" in text for text in exported)
    assert any("あなた：予約番号の有効期限は何日？" in text for text in exported)
    await line_app.send(user.text("データを削除", reply_token=line_server.reply_token()))
    [confirm] = line_server.deliveries_for(user.user)[-1].messages
    actions = [item["action"] for item in confirm["quickReply"]["items"]]
    assert actions[0]["type"] == "postback"
    await line_app.send(user.postback(actions[0]["data"], reply_token=line_server.reply_token()))
    assert line_server.texts_to(user.user)[-1].startswith("会話の記録を削除しました")
    assert await line_app.resources.pool.fetchval("SELECT count(*) FROM conversations") == 0
    assert await line_app.resources.pool.fetchval("SELECT count(*) FROM messages") == 0
    audit = await line_app.resources.pool.fetchval(
        "SELECT count(*) FROM audit_logs WHERE action = 'data.deleted'"
    )
    assert audit == 1


async def test_follow_greets_unfollow_stops_operator_pushes(line_app: LineApp, line_server: FakeLine) -> None:
    user = Events()
    await line_app.send(
        user.base("follow", reply_token=line_server.reply_token(), follow={"isUnblocked": False})
    )
    [greeting] = line_server.deliveries_for(user.user)[0].messages
    assert greeting["text"].startswith("友だち追加ありがとうございます")
    labels = [item["action"]["label"] for item in greeting["quickReply"]["items"]]
    assert "乗り換えナビ" in labels
    await line_app.send(user.text("オペレーターと話したい", reply_token=line_server.reply_token()))
    row = await line_app.resources.pool.fetchrow(
        "SELECT c.id, h.status AS handoff FROM conversations c JOIN handoffs h ON h.session_id = c.id"
    )
    assert row["handoff"] == "waiting"  # in the operators' queue (the hand-off's state machine)
    sent = await line_app.line.push_to_conversation(
        row["id"], "オペレーターの山田です。", key=str(uuid.uuid4())
    )
    assert sent == "pushed"
    assert line_server.calls(PUSH)[-1].body["to"] == user.user
    await line_app.send(user.base("unfollow"))
    pushes = len(line_server.calls(PUSH))
    assert (
        await line_app.line.push_to_conversation(row["id"], "まだいらっしゃいますか？", key=str(uuid.uuid4()))
        == "unfollowed"
    )
    assert len(line_server.calls(PUSH)) == pushes
    stored = await line_app.resources.pool.fetchval("SELECT address_ciphertext FROM channel_contacts")
    assert user.user.encode() not in stored


async def test_text_postgresql_cannot_store_is_refused(line_app: LineApp, line_server: FakeLine) -> None:
    user = Events()
    lone = body(user.text("x")).replace(b'"text": "x"', b'"text": "a\\ud800b"')
    response = await line_app.post(lone)
    assert response.status_code == 400
    await line_app.send(user.text("制御\u0000文字", reply_token=line_server.reply_token()))
    assert line_server.texts_to(user.user) == [
        "読み取れない文字が含まれていたため、お答えできませんでした。もう一度入力してください。"
    ]
    assert await line_app.resources.pool.fetchval("SELECT count(*) FROM messages") == 0
