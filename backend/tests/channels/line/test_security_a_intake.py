"""security.md Part 2, section A, tests 1, 2, 3, 6 and 9: what the webhook accepts, and what it does not."""

import ast
import functools
import inspect as pyinspect
import json
import math
import time
from collections.abc import Callable
from pathlib import Path

from structlog.testing import capture_logs

from mnp_chatbot.channels.line import signature, webhook
from mnp_chatbot.core.config import Settings
from tests.channels.line.conftest import LineApp, open_line_app
from tests.channels.line.inspect import count, redis_snapshot
from tests.channels.line.support import DESTINATION, Events, body, report, signed
from tests.fixtures.app import SettingsFactory
from tests.fixtures.line_server import FakeLine
from tests.fixtures.openai_server import FakeOpenAI

REPETITIONS = 3


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]


async def stored_rows(app: LineApp) -> int:
    tables = ("channel_events", "conversations", "messages", "handoffs", "channel_contacts")
    return sum([await count(app, f"SELECT count(*) FROM {table}") for table in tables])


async def test_01_forged_or_tampered_webhook_is_rejected_and_nothing_is_stored(
    llm_line_app: LineApp, line_server: FakeLine, openai_server: FakeOpenAI
) -> None:
    canary = "改ざんテスト090-1234-5678"
    raw = body(Events().text(f"予約番号の有効期限は？{canary}"))
    good = signed(raw)["x-line-signature"]
    other = body(Events().text("別の本文"))
    reserialized = json.dumps(json.loads(raw), separators=(",", ":"), sort_keys=True).encode()
    variants: dict[str, tuple[bytes, list[tuple[str, str]]]] = {
        "a-byte-changed": (raw.replace(b"destination", b"destinatioN"), [("x-line-signature", good)]),
        "b-wrong-secret": (raw, [("x-line-signature", signed(raw, "another-secret")["x-line-signature"])]),
        "c-reserialized": (raw, [("x-line-signature", signed(reserialized)["x-line-signature"])]),
        "d-truncated": (raw, [("x-line-signature", good[:20])]),
        "d-not-base64": (raw, [("x-line-signature", "!!!not-base64!!!")]),
        "e-other-body": (raw, [("x-line-signature", signed(other)["x-line-signature"])]),
        "f-two-headers": (raw, [("x-line-signature", good), ("x-line-signature", good)]),
    }
    assert reserialized != raw
    redis_before = await redis_snapshot()
    statuses: list[int] = []
    with capture_logs() as logs:
        for _ in range(REPETITIONS):
            for content, headers in variants.values():
                response = await llm_line_app.http.post(
                    "/api/line/webhook",
                    content=content,
                    headers=[*headers, ("content-type", "application/json")],
                )
                statuses.append(response.status_code)
        await llm_line_app.worker.drain()
    tried = len(variants) * REPETITIONS
    report("A1", variants_x_repetitions=tried, accepted=sum(s < 300 for s in statuses))
    assert all(status in (400, 401) for status in statuses), statuses
    assert await stored_rows(llm_line_app) == 0
    assert await redis_snapshot() == redis_before
    assert openai_server.chat_requests() == []
    assert line_server.requests == []
    rejected = [entry for entry in logs if entry["event"] == "line.webhook.rejected"]
    assert len(rejected) == tried
    assert canary not in repr(logs)


async def test_02_malformed_input_is_a_4xx_never_a_5xx(line_app: LineApp, line_server: FakeLine) -> None:
    def signed_raw(raw: bytes) -> tuple[bytes, dict[str, str]]:
        return raw, signed(raw)

    raw = body(Events().text("こんにちは"))
    cases: dict[str, tuple[bytes, dict[str, str]]] = {
        "no-signature": (raw, {"content-type": "application/json"}),
        "empty-signature": (raw, {"x-line-signature": "", "content-type": "application/json"}),
        "not-utf8": signed_raw(b'{"destination":"U0","events":[{"type":"\xff\xfe"}]}'),
        "not-json": signed_raw(b"destination=U0&events="),
        "no-events": signed_raw(json.dumps({"destination": DESTINATION}).encode()),
        "events-not-a-list": signed_raw(json.dumps({"destination": DESTINATION, "events": {}}).encode()),
        "events-of-scalars": signed_raw(
            json.dumps({"destination": DESTINATION, "events": [1, "x"]}).encode()
        ),
        "json-array": signed_raw(b"[]"),
        "one-mebibyte": signed_raw(b'{"destination":"' + b"U" * (1 << 20) + b'","events":[]}'),
    }
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    for name, (content, headers) in cases.items():
        started = time.perf_counter()
        response = await line_app.http.post("/api/line/webhook", content=content, headers=headers)
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[name] = response.status_code
        assert "error" in response.json()
    verify = body()
    response = await line_app.post(verify)
    server_errors = sum(s >= 500 for s in statuses.values())
    report(
        "A2",
        server_errors=server_errors,
        p99_rejection_ms=round(p99(latencies), 1),
        empty_events_200=response.status_code == 200,
    )
    assert all(400 <= status < 500 for status in statuses.values()), statuses
    assert statuses["one-mebibyte"] == 413
    assert statuses["no-signature"] == statuses["empty-signature"] == 401
    assert response.status_code == 200
    assert await stored_rows(line_app) == 0
    assert line_server.requests == []


async def test_03_verification_runs_on_the_raw_bytes(line_app: LineApp, line_server: FakeLine) -> None:
    user = Events()
    event = user.text("ドコモ→auの乗り換え🎌　全角スペース\tタブ")
    compact = json.dumps(
        {"destination": DESTINATION, "events": [event]}, separators=(",", ":"), ensure_ascii=False
    )
    escaped = json.dumps({"events": [user.text("テスト")], "destination": DESTINATION}, ensure_ascii=True)
    inner = json.dumps(user.text("絵文字😀と改行\nのテキスト"), ensure_ascii=False, indent=3)
    spaced = f'{{\n  "destination" :  "{DESTINATION}" ,\r\n\t"events" : [ {inner} ]  }}\n'
    bodies = [compact.encode(), escaped.encode(), spaced.encode(), compact.encode("utf-8") + b"   "]
    assert "\\u30c6" in escaped
    accepted = 0
    for raw in bodies:
        response = await line_app.post(raw, signed(raw))
        accepted += response.status_code == 200
    report("A3", accepted=f"{accepted}/{len(bodies)}")
    assert accepted == len(bodies)
    await line_app.worker.drain()
    assert await count(line_app, "SELECT count(*) FROM channel_events") == 3  # the 4th repeats an event


def test_03_signature_is_compared_in_constant_time_on_the_request_bytes() -> None:
    tree = ast.parse(Path(signature.__file__).read_text())
    compares = [node for node in ast.walk(tree) if isinstance(node, ast.Compare)]
    assert not any(isinstance(op, ast.Eq | ast.NotEq) for node in compares for op in node.ops)
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert "compare_digest" in calls
    endpoint = pyinspect.getsource(webhook.LineWebhook._acknowledge)
    assert "raw = await read_body(scope, receive, self.max_bytes)" in endpoint
    assert "verified_body(raw," in endpoint
    assert endpoint.index("read_body") < endpoint.index("verified_body") < endpoint.index("accept")
    guard = pyinspect.getsource(webhook.verified_body)
    assert "is_valid_signature(raw," in guard
    assert "json.dumps" not in guard
    assert ".json()" not in guard
    assert guard.index("is_valid_signature") < guard.index("model_validate_json")


def shifted(clock: Callable[[], int], offset_ms: int) -> int:
    return clock() + offset_ms


async def test_06_a_replayed_signed_request_is_not_reprocessed(
    line_app: LineApp, line_server: FakeLine, line_settings: Settings
) -> None:
    user = Events()
    raw = body(user.text("予約番号の有効期限は？", reply_token=line_server.reply_token()))
    await line_app.post(raw)
    await line_app.worker.drain()
    assert len(line_server.delivered) == 1
    real_clock = line_app.line.clock
    processed = 0
    with capture_logs() as logs:
        for hours in (1, 24, 8 * 24):
            line_app.line.clock = functools.partial(shifted, real_clock, hours * 3600 * 1000)
            response = await line_app.post(raw)
            assert response.status_code == 200
            await line_app.worker.drain()
        await line_app.resources.pool.execute("DELETE FROM channel_events")  # as the retention purge would
        response = await line_app.post(raw)
        await line_app.worker.drain()
    processed = len(line_server.delivered) - 1
    stale = [entry for entry in logs if entry["event"] == "line.event.stale"]
    max_age = line_settings.LINE_MAX_EVENT_AGE_SECONDS
    retention = line_settings.DATA_RETENTION_DAYS
    report("A6", stale_replays_processed=processed, dedupe_retention_days=retention, max_event_age_s=max_age)
    assert processed == 0
    assert len(stale) == 3  # 24 h, 8 d and the replay after the purge (8 d)
    assert max_age < line_settings.DATA_RETENTION_DAYS * 86400
    assert await count(line_app, "SELECT count(*) FROM messages") == 2


async def test_09_mixed_event_batches_are_handled_without_crashes(
    make_settings: SettingsFactory, line_settings: Settings, line_server: FakeLine
) -> None:
    settings = line_settings.model_copy(update={"LINE_BOT_USER_ID": DESTINATION})
    async for app in open_line_app(settings, line_server):
        users = [Events() for _ in range(9)]
        group_message = users[7].text("グループから", reply_token=line_server.reply_token())
        group_message["source"] = {"type": "group", "groupId": "C" + "1" * 32}
        standby = users[8].text("待機中", reply_token=line_server.reply_token())
        standby["mode"] = "standby"
        future = users[6].base("fooBar", reply_token=line_server.reply_token(), fooBar={"x": 1})
        join = users[5].base("join", reply_token=line_server.reply_token())
        join["source"] = {"type": "group", "groupId": "C" + "2" * 32}
        batch = [
            users[0].text("手数料はいくら？", reply_token=line_server.reply_token()),
            users[1].media("image", reply_token=line_server.reply_token()),
            users[2].media("sticker", reply_token=line_server.reply_token()),
            users[3].base("follow", reply_token=line_server.reply_token(), follow={"isUnblocked": False}),
            users[4].base("unfollow"),
            users[1].postback("action=navigator", reply_token=line_server.reply_token()),
            future,
            group_message,
            standby,
            join,
            {"type": "message", "broken": True},
        ]
        async with app.resources.pool.acquire() as db:  # an event whose handling raises (undecryptable)
            await db.execute(
                "INSERT INTO channel_events (channel, event_id, event_type, payload, sealed, sender_hash) "
                "VALUES ('line', 'BROKEN0000000000000000000', 'message', '{}', '\\x01ff', 'x')"
            )
        with capture_logs() as logs:
            response = await app.post(body(*batch))
            foreign = await app.post(body(Events().text("別チャネル"), destination="U" + "f" * 32))
            await app.worker.drain()
        assert response.status_code == 200
        assert foreign.status_code == 200
        rows = await app.resources.pool.fetch(
            "SELECT payload->>'kind' AS kind, payload->>'source' AS source, outcome FROM channel_events "
            "WHERE event_id <> 'BROKEN0000000000000000000' AND payload->>'mode' = 'active'"
        )
        outcomes = {f"{row['kind']}/{row['source']}": row["outcome"] for row in rows}
        assert outcomes["message/text/user"] == "replied"
        assert outcomes["message/image/user"] == "replied"
        assert outcomes["message/sticker/user"] == "replied"
        assert outcomes["follow/user"] == "replied"
        assert outcomes["unfollow/user"] == "unfollowed"
        assert outcomes["postback/user"] == "replied"
        assert outcomes["fooBar/user"] == "ignored"
        assert outcomes["join/group"] == "replied"
        assert outcomes["message/text/group"] == "not_one_to_one"
        broken = await app.resources.pool.fetchrow(
            "SELECT attempts, processed_at, available_at > now() AS later FROM channel_events "
            "WHERE event_id = 'BROKEN0000000000000000000'"
        )
        assert broken["attempts"] == 1
        assert broken["processed_at"] is None
        assert broken["later"]
        assert any(entry["event"] == "line.event.retry" for entry in logs)
        assert any(entry["event"] == "line.event.ignored" for entry in logs)
        assert any(entry["event"] == "line.event.invalid" for entry in logs)
        assert any(entry["event"] == "line.webhook.foreign_destination" for entry in logs)
        standby_token = standby["replyToken"]
        replies = [r.body["replyToken"] for r in line_server.calls("/v2/bot/message/reply")]
        assert standby_token not in replies
        assert group_message["replyToken"] not in replies
        assert line_server.calls("/v2/bot/message/push") == []
        assert await count(app, "SELECT count(*) FROM channel_events WHERE payload->>'mode' = 'standby'") == 1
        assert all(r.status == 200 for r in line_server.requests if r.path.endswith("/reply"))
        errors = sum(e["event"] == "line.event.retry" for e in logs)
        report("A9", server_errors=0, standby_outbound=0, handler_errors_logged=errors)
