"""The guided flow through POST /api/chat, as a web or LINE customer would drive it with quick replies."""

from typing import Any

import httpx


async def say(client: httpx.AsyncClient, text: str, session: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message": text}
    if session:
        body["sessionId"] = session
    response = await client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


async def test_quick_replies_alone_lead_to_a_plan_then_one_step_at_a_time(client: httpx.AsyncClient) -> None:
    turn = await say(client, "乗り換えナビ")
    session = turn["sessionId"]
    seen_plan = False
    for _ in range(12):
        reply = turn["reply"]
        assert reply["mode"] == "navigator"
        assert reply["quickReplies"]
        if "1ステップずつ" in reply["quickReplies"]:
            seen_plan = True
            break
        choice = next(r for r in reply["quickReplies"] if r not in ("やめる", "最初から"))
        turn = await say(client, choice, session)
    assert seen_plan
    step = await say(client, "1ステップずつ", session)
    assert "次へ" in step["reply"]["quickReplies"]
    following = await say(client, "次へ", session)
    assert following["reply"]["text"] != step["reply"]["text"]


async def test_known_brands_are_reused_and_the_flow_resumes_later(client: httpx.AsyncClient) -> None:
    stated = await say(client, "ドコモから楽天モバイルに乗り換えたい")
    session = stated["sessionId"]
    assert stated["reply"]["mode"] == "faq"  # acknowledged and answered; the flow is offered, not forced
    assert stated["reply"]["text"].startswith("ドコモから楽天モバイルへの乗り換えですね")
    assert "乗り換えナビ" in stated["reply"]["quickReplies"]
    first = await say(client, "乗り換えナビ", session)
    assert first["reply"]["mode"] == "navigator"
    assert "今お使い" not in first["reply"]["text"]
    assert "乗り換え先" not in first["reply"]["text"]
    stopped = await say(client, "やめる", session)
    assert "乗り換えナビ" in stopped["reply"]["quickReplies"]
    other = await say(client, "予約番号の有効期限は？", session)
    assert other["reply"]["mode"] == "faq"
    resumed = await say(client, "乗り換えナビ", session)
    assert resumed["reply"]["mode"] == "navigator"
    assert "再開" in resumed["reply"]["text"]
