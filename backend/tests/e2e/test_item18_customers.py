"""Issue 18, customers, in headless Chromium against the real app: ratings under answers only and back after
a reload; a refusal by the rate limit says how long to wait; a server that cannot be reached is not blamed
on the customer's Wi-Fi, and the banner agrees."""

import os
import re

import pytest

if os.environ.get("MNP_E2E_REQUIRED") != "1":
    pytest.importorskip("playwright", reason="the Python playwright package is not installed")

from playwright.async_api import BrowserContext, Page, Route, WebSocketRoute, expect

from tests.e2e.chat_page import ChatPage
from tests.e2e.live import LiveServer

pytestmark = pytest.mark.browser
UP, DOWN = "役に立った", "役に立たなかった"


async def without_socket(context: BrowserContext, live_server: LiveServer) -> Page:
    """A chat page whose socket.io cannot connect, so every message goes over REST."""
    page = await context.new_page()

    async def refuse(route: Route) -> None:
        await route.abort()

    async def close(socket: WebSocketRoute) -> None:
        await socket.close()

    await page.route("**/socket.io/**", refuse)
    await page.route_web_socket(re.compile(r"/socket\.io/"), close)
    await page.goto(live_server.url + "/")
    return page


class TestRatings:
    async def test_a_rating_is_shown_again_after_a_reload(self, page: Page) -> None:
        chat = ChatPage(page)
        answer = await chat.ask("MNPの転出手数料はかかりますか？")
        async with page.expect_response(re.compile(r"/api/messages/.+/feedback$")) as posted:
            await answer.get_by_role("button", name=UP).click()
        assert (await posted.value).status == 201

        await page.reload()

        restored = chat.answers.first
        await expect(restored).to_contain_text("転出")
        await expect(restored.get_by_role("button", name=UP)).to_have_attribute("aria-pressed", "true")
        await expect(restored.get_by_role("button", name=DOWN)).to_have_attribute("aria-pressed", "false")

    async def test_the_navigators_questions_carry_no_rating_buttons(self, page: Page) -> None:
        chat = ChatPage(page)
        question = await chat.ask("乗り換えナビ")
        await expect(question).to_contain_text("今お使いの携帯会社")
        await expect(question.get_by_role("button", name=UP)).to_have_count(0)
        answer = await chat.ask("予約番号の有効期限は何日ですか？")
        await expect(answer.get_by_role("button", name=UP)).to_have_count(1)


class TestSendErrors:
    async def test_a_refusal_says_how_long_to_wait_in_words(
        self, context: BrowserContext, live_server: LiveServer
    ) -> None:
        page = await without_socket(context, live_server)
        body = '{"error": {"code": "rate_limited", "message": "リクエストが多すぎます。"}}'

        async def refused(route: Route) -> None:
            headers = {"Retry-After": "754", "Content-Type": "application/json"}
            await route.fulfill(status=429, headers=headers, body=body)

        await page.route("**/api/chat", refused)
        chat = ChatPage(page)
        await chat.input.fill("予約番号はどこで取れますか？")
        await chat.input.press("Enter")
        alert = page.get_by_role("alert")
        await expect(alert).to_contain_text("約13分たってから")

    async def test_an_unreachable_server_is_not_blamed_on_the_customers_wifi(
        self, context: BrowserContext, live_server: LiveServer
    ) -> None:
        page = await without_socket(context, live_server)

        async def down(route: Route) -> None:
            await route.abort("connectionrefused")

        await page.route("**/api/chat", down)
        chat = ChatPage(page)
        await chat.input.fill("予約番号はどこで取れますか？")
        await chat.input.press("Enter")
        alert = page.get_by_role("alert")
        await expect(alert).to_contain_text("サーバーにつながりませんでした")
        await expect(alert).not_to_contain_text("Wi-Fi")
        banner = page.get_by_role("status").filter(has_text="サーバーとの接続")
        if await banner.count():
            await expect(banner).not_to_contain_text("このまま送信できます")


class TestQuickReplies:
    async def test_the_fee_starter_shows_the_per_carrier_fee_table(self, page: Page) -> None:
        answer = await ChatPage(page).choose("手数料はいくら？")
        await expect(answer).to_contain_text("ドコモは店頭4,950円・Web無料")

    async def test_chips_are_short_and_none_is_hidden_off_screen_on_a_phone(self, page: Page) -> None:
        chat = ChatPage(page)
        await chat.ask("MNPの転出手数料はかかりますか？")
        chips = chat.quick_replies.get_by_role("button")
        await expect(chips.first).to_be_visible()
        width = page.viewport_size["width"] if page.viewport_size else 390
        for index in range(await chips.count()):
            chip = chips.nth(index)
            label = (await chip.inner_text()).strip()
            assert len(label) <= 16, label
            box = await chip.bounding_box()
            assert box is not None
            assert box["x"] >= 0, label
            assert box["x"] + box["width"] <= width, label
