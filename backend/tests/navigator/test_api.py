"""POST /api/navigator/plan through the real app and the seeded carrier table."""

import datetime as dt
from typing import Any

import httpx
import pytest


async def plan(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/api/navigator/plan", json=body)


class TestPlan:
    async def test_docomo_to_rakuten_online_is_one_stop(self, client: httpx.AsyncClient) -> None:
        response = await plan(client, **{"from": "docomo", "to": "楽天モバイル", "channel": "online"})
        assert response.status_code == 200
        body = response.json()
        assert body["kind"] == "one_stop"
        assert body["reservationNumber"]["needed"] is False
        assert all({"title", "detail", "sources"} <= set(step) for step in body["steps"])
        assert body["afterSwitch"]

    async def test_shop_needs_a_reservation_number_with_its_expiry(self, client: httpx.AsyncClient) -> None:
        issued = dt.date.today() - dt.timedelta(days=3)
        body = (
            await plan(
                client,
                **{
                    "from": "ドコモ",
                    "to": "rakuten",
                    "channel": "shop",
                    "reservationIssuedOn": issued.isoformat(),
                },
            )
        ).json()
        assert body["kind"] == "two_step"
        assert body["reservationNumber"]["needed"] is True
        assert body["reservationNumber"]["expiresOn"] == (issued + dt.timedelta(days=14)).isoformat()

    async def test_docomo_to_ahamo_is_an_in_group_plan_change(self, client: httpx.AsyncClient) -> None:
        body = (await plan(client, **{"from": "docomo", "to": "アハモ"})).json()
        assert body["kind"] == "in_group"


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"from": "nosuchbrand", "to": "au"}, "from"),
            ({"from": "au", "to": "???"}, "to"),
            ({"from": "au", "to": "au"}, "to"),
            ({"from": "docomo", "to": "ahamo", "channel": "shop"}, "channel"),
            ({"from": "au", "to": "povo", "reservationIssuedOn": "2999-01-01"}, "reservationIssuedOn"),
            ({"from": "au", "to": "povo", "channel": "fax"}, "channel"),
            ({"from": "au"}, "to"),
        ],
    )
    async def test_names_the_offending_field(
        self, client: httpx.AsyncClient, body: dict[str, Any], field: str
    ) -> None:
        response = await plan(client, **body)
        assert 400 <= response.status_code < 500
        assert field in response.json()["error"]["message"]
