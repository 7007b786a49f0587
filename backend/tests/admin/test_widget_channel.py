"""Issue 18: the console tells a conversation in the widget (framed in a carrier's site) from one on the
chat page; the channel is the one the conversation started in."""

import httpx

from tests.admin.support import Console, json_of


async def test_a_widget_conversation_is_listed_as_such_from_its_first_turn(
    client: httpx.AsyncClient, console: Console
) -> None:
    first = json_of(
        await client.post("/api/chat", json={"message": "予約番号の有効期限は？", "channel": "widget"})
    )
    json_of(await client.post("/api/chat", json={"message": "手数料は？", "sessionId": first["sessionId"]}))
    json_of(await client.post("/api/chat", json={"message": "予約番号の有効期限は？"}))
    headers = await console.headers("operator")
    widget = json_of(await client.get("/api/admin/conversations?channel=widget", headers=headers))["items"]
    web = json_of(await client.get("/api/admin/conversations?channel=web", headers=headers))["items"]
    assert [(item["channel"], item["turns"]) for item in widget] == [("widget", 2)]
    assert [item["channel"] for item in web] == ["web"]


async def test_a_widget_hand_off_keeps_the_channel(client: httpx.AsyncClient, console: Console) -> None:
    json_of(await client.post("/api/chat", json={"message": "オペレーターと話したい", "channel": "widget"}))
    headers = await console.headers("operator")
    items = json_of(await client.get("/api/admin/handoffs", headers=headers))["items"]
    assert [item["channel"] for item in items] == ["widget"]


async def test_a_customer_cannot_claim_another_channel(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/chat", json={"message": "こんにちは", "channel": "line"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
