"""POST /api/navigator/plan through the real app and the seeded carrier table."""

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mnp_chatbot.core import clock

# 08:30 on 2026-12-04 in Japan, still the 3rd on a UTC host.
INSTANT = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)


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


class TestJapanDate:
    """The plan counts days by the date in Japan, not the host's: at 23:30 UTC it is already the 4th there."""

    @pytest.fixture
    def at_instant(self, app: FastAPI) -> None:
        app.dependency_overrides[clock.today_jst] = lambda: clock.date_in_japan(INSTANT)

    @pytest.mark.usefixtures("at_instant")
    async def test_a_number_issued_this_morning_in_japan_is_accepted_with_all_its_days(
        self, client: httpx.AsyncClient
    ) -> None:
        body = {"from": "docomo", "to": "rakuten", "channel": "shop", "reservationIssuedOn": "2026-12-04"}
        response = await plan(client, **body)
        assert response.status_code == 200, response.text
        number = response.json()["reservationNumber"]
        assert number["expiresOn"] == "2026-12-18"  # the issue day + 14 days
        assert number["daysLeft"] == 15  # counting today

    @pytest.mark.usefixtures("at_instant")
    async def test_the_remaining_days_count_from_the_date_in_japan(self, client: httpx.AsyncClient) -> None:
        body = {"from": "docomo", "to": "rakuten", "channel": "shop", "reservationIssuedOn": "2026-11-20"}
        number = (await plan(client, **body)).json()["reservationNumber"]
        assert number["expiresOn"] == "2026-12-04"
        assert number["daysLeft"] == 1  # its last day; 2 if counted from the host's 12-03


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
