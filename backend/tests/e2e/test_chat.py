"""The customer chat in headless Chromium against the real app: streaming, sources, quick replies, feedback,
the navigator to its end, history, fallbacks, the widget and a phone-sized screen."""

import os
import re
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

if os.environ.get("MNP_E2E_REQUIRED") != "1":
    pytest.importorskip("playwright", reason="the Python playwright package is not installed")

from playwright.async_api import Browser, BrowserContext, Page, Route, WebSocketRoute, expect

from tests.e2e.chat_page import ChatPage, SocketFrames, save
from tests.e2e.live import LiveServer, carrier_origin

pytestmark = pytest.mark.browser

AXE_VIOLATIONS = """async () => {
  const { violations } = await axe.run(document, { resultTypes: ["violations"] });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}"""
AXE = Path(__file__).resolve().parents[3] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"

NAVIGATOR_ANSWERS = [
    "ドコモ",
    "楽天モバイル",
    "オンライン",
    "今の端末を使う",
    "eSIM",
    "同じ名義",
    "家族割なし",
]
OPERATOR = "オペレーターと話す"


class TestAsking:
    async def test_streams_the_answer_over_socketio_and_shows_its_source(
        self, context: BrowserContext, live_server: LiveServer, screenshots: Path
    ) -> None:
        page = await context.new_page()
        frames = SocketFrames()
        page.on("websocket", frames.attach)
        await page.goto(live_server.url + "/")
        chat = ChatPage(page)

        answer = await chat.ask("予約番号の有効期限は何日ですか？")

        await expect(answer.locator(".rich-text").first).to_contain_text("15日")
        source = answer.get_by_role("region", name="回答の出典").locator("li").first
        await expect(source.locator(".source-question")).not_to_be_empty()
        await expect(source.get_by_role("link")).to_have_attribute("href", re.compile(r"^https://"))
        await expect(source).to_contain_text(re.compile(r"\d{4}年\d{1,2}月\d{1,2}日時点"))
        assert frames.names()[:2] == ["chat:start", "chat:delta"]
        assert "chat:done" in frames.names()
        assert frames.streamed_text() == await answer.locator(".rich-text").first.inner_text()
        await expect(chat.input).to_be_focused()
        await save(page, screenshots, "01-streamed-answer-with-source")

    async def test_a_quick_reply_sends_its_text(self, page: Page, screenshots: Path) -> None:
        chat = ChatPage(page)

        answer = await chat.choose("手数料はいくら？")

        await expect(chat.questions.last).to_contain_text("手数料はいくら？")
        # issue 18: the starter answers with the per-carrier fee table
        await expect(answer.locator(".rich-text").first).to_contain_text("4,950円")
        await expect(chat.quick_replies.get_by_role("button").first).to_be_enabled()
        await save(page, screenshots, "02-quick-reply")

    async def test_feedback_is_recorded(self, page: Page, screenshots: Path) -> None:
        answer = await ChatPage(page).ask("MNPの転出手数料はかかりますか？")
        down = answer.get_by_role("button", name="役に立たなかった")

        async with page.expect_response(re.compile(r"/api/messages/.+/feedback$")) as posted:
            await down.click()
        assert (await posted.value).status == 201
        await expect(down).to_have_attribute("aria-pressed", "true")

        async with page.expect_response(re.compile(r"/feedback$")) as commented:
            await answer.get_by_label(re.compile("足りなかった点")).fill("auの場合も知りたいです")
            await answer.get_by_role("button", name="送信する").click()
        assert (await commented.value).status == 201
        await expect(answer.get_by_text("ご評価ありがとうございます。")).to_be_visible()
        await save(page, screenshots, "03-feedback")

    async def test_the_operator_button_hands_the_conversation_over(
        self, page: Page, screenshots: Path
    ) -> None:
        chat = ChatPage(page)
        count = await chat.answers.count()

        await page.get_by_role("banner").get_by_role("button", name=OPERATOR).click()

        answer = chat.answers.nth(count)
        await expect(answer).to_contain_text("オペレーター")
        status = page.get_by_role("region", name="オペレーター対応")  # the hand-off's honest status
        await expect(status).to_be_visible()
        await expect(page.get_by_role("banner").get_by_role("button", name=OPERATOR)).to_be_disabled()
        await save(page, screenshots, "04-operator")


class TestNavigator:
    async def test_runs_to_the_end_with_a_timeline_and_the_step_guide(
        self, page: Page, screenshots: Path
    ) -> None:
        chat = ChatPage(page)
        await chat.choose("乗り換えナビ")
        for label in NAVIGATOR_ANSWERS:
            await chat.choose(label)

        overview = await chat.choose("全体を見る")
        timeline = overview.get_by_role("list", name="乗り換えの手順")
        steps = timeline.locator(":scope > li")
        await expect(steps.first).to_contain_text("ステップ1")
        total = await steps.count()
        assert total >= 3
        await save(page, screenshots, "05-navigator-roadmap")

        step = await chat.choose("1ステップずつ")
        await expect(step.locator(".step-progress")).to_have_text(f"ステップ 1 / {total}")
        for index in range(2, total + 1):
            step = await chat.choose("次へ")
            await expect(step.locator(".step-progress")).to_have_text(f"ステップ {index} / {total}")
        await save(page, screenshots, "06-navigator-step-guide")

        last = await chat.choose("次へ")
        await expect(last.locator(".checklist li").first).to_be_visible()
        await expect(last).to_contain_text("手順は以上です")
        await save(page, screenshots, "07-navigator-finished")


class TestResilience:
    async def test_history_comes_back_after_a_reload(self, page: Page) -> None:
        chat = ChatPage(page)
        await chat.ask("SIMロックの解除は必要ですか？")
        stored = await page.wait_for_function("localStorage.getItem('mnp-chat.sessionId')")
        session = await stored.json_value()

        await page.reload()

        await expect(chat.questions.first).to_contain_text("SIMロックの解除は必要ですか？")
        await expect(chat.answers).to_have_count(1)
        assert await page.evaluate("localStorage.getItem('mnp-chat.sessionId')") == session
        answer = await chat.ask("eSIMでも同じですか？")
        await expect(answer).not_to_be_empty()
        await expect(chat.answers).to_have_count(2)

    async def test_answers_over_rest_when_the_socket_cannot_connect(
        self, context: BrowserContext, live_server: LiveServer, screenshots: Path
    ) -> None:
        page = await context.new_page()

        async def refuse(route: Route) -> None:
            await route.abort()

        async def close(socket: WebSocketRoute) -> None:
            await socket.close()

        await page.route("**/socket.io/**", refuse)
        await page.route_web_socket(re.compile(r"/socket\.io/"), close)
        await page.goto(live_server.url + "/")
        chat = ChatPage(page)

        async with page.expect_response(re.compile(r"/api/chat$")) as posted:
            answer = await chat.ask("予約番号はどこで取れますか？")
        assert (await posted.value).status == 200
        await expect(answer.locator(".rich-text").first).not_to_be_empty()
        await save(page, screenshots, "08-rest-fallback")

    async def test_offline_is_explained_and_sending_waits(
        self, context: BrowserContext, page: Page, screenshots: Path
    ) -> None:
        chat = ChatPage(page)
        await context.set_offline(True)
        await expect(page.get_by_text("インターネットに接続されていません")).to_be_visible()
        await expect(chat.input).to_be_disabled()
        await save(page, screenshots, "09-offline")

        await context.set_offline(False)
        await expect(page.get_by_text("インターネットに接続されていません")).to_be_hidden()
        await chat.ask("開通の受付時間は？")


class TestScreens:
    async def test_fits_a_small_phone_and_works_by_keyboard(
        self, browser: Browser, live_server: LiveServer
    ) -> None:
        context = await browser.new_context(
            viewport={"width": 320, "height": 568}, is_mobile=True, has_touch=True, locale="ja-JP"
        )
        try:
            page = await context.new_page()
            await page.goto(live_server.url + "/")
            chat = ChatPage(page)
            await expect(chat.input).to_be_editable()
            await page.keyboard.press("Tab")
            await expect(
                page.get_by_role("banner").get_by_role("button", name="オペレーターと話す")
            ).to_be_focused()
            await chat.input.focus()
            await page.keyboard.type("予約番号の有効期限は？")
            await page.keyboard.press("Enter")
            await expect(chat.answers.first).to_be_visible()
            widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1]
            box = await chat.input.bounding_box()
            assert box is not None
            assert box["y"] + box["height"] <= 568
        finally:
            await context.close()

    async def test_the_widget_opens_the_chat_on_a_carriers_page(
        self,
        context: BrowserContext,
        live_server: LiveServer,
        carrier_site: ThreadingHTTPServer,
        screenshots: Path,
    ) -> None:
        page = await context.new_page()
        await page.goto(carrier_origin(carrier_site) + "/")
        launcher = page.get_by_role("button", name="チャットで相談")
        await expect(launcher).to_have_attribute("aria-expanded", "false")

        await launcher.click()

        chat = ChatPage(page.frame_locator("iframe[title='MNP乗り換えサポート チャット']"))
        answer = await chat.ask("予約番号の有効期限は何日ですか？")
        await expect(answer).to_contain_text("15日")
        await save(page, screenshots, "10-widget-open")
        await chat.page.get_by_role("button", name="チャットを閉じる").click()
        await expect(launcher).to_have_attribute("aria-expanded", "false")
        await expect(page.get_by_role("dialog")).to_be_hidden()


class TestAccessibility:
    async def test_axe_finds_no_problems(self, browser: Browser, live_server: LiveServer) -> None:
        if not AXE.is_file():
            pytest.skip(f"{AXE} is missing: run `npm ci` in frontend/")
        # The app's CSP rightly refuses injected scripts; only this audit bypasses it.
        context = await browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
        try:
            page = await context.new_page()
            await page.goto(live_server.url + "/")
            chat = ChatPage(page)
            await chat.ask("予約番号の有効期限は何日ですか？")
            await chat.choose("乗り換えナビ")
            await page.add_script_tag(path=AXE)
            violations = await page.evaluate(AXE_VIOLATIONS)
            assert violations == []
        finally:
            await context.close()
