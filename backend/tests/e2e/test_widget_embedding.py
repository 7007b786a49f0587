"""The widget on a carrier's own site, in headless Chromium: opened with the keyboard it takes focus into the
chat's message box; on a site that WIDGET_FRAME_ANCESTORS does not allow, the panel explains instead of
showing a broken frame."""

from http.server import ThreadingHTTPServer

import pytest
from playwright.async_api import BrowserContext, expect

from tests.e2e.live import LiveServer, carrier_origin

pytestmark = pytest.mark.browser

FRAME = "iframe[title='MNP乗り換えサポート チャット']"


class TestWidgetEmbedding:
    async def test_opening_with_the_keyboard_puts_focus_in_the_message_box(
        self, context: BrowserContext, live_server: LiveServer, carrier_site: ThreadingHTTPServer
    ) -> None:
        page = await context.new_page()
        await page.goto(carrier_origin(carrier_site) + "/")
        launcher = page.get_by_role("button", name="チャットで相談")
        await launcher.focus()
        await page.keyboard.press("Enter")
        message_box = page.frame_locator(FRAME).get_by_label("メッセージ", exact=True)
        await expect(message_box).to_be_focused()
        await page.keyboard.type("予約番号")
        await expect(message_box).to_have_value("予約番号")
        await expect(page.get_by_role("alert")).to_have_count(0)

    async def test_a_site_that_may_not_embed_it_gets_a_readable_message(
        self, context: BrowserContext, live_server: LiveServer, carrier_site: ThreadingHTTPServer
    ) -> None:
        # The same page from an origin WIDGET_FRAME_ANCESTORS does not name (127.0.0.1, not localhost).
        page = await context.new_page()
        await page.goto(f"http://127.0.0.1:{carrier_site.server_address[1]}/")
        await page.get_by_role("button", name="チャットで相談").click()
        notice = page.get_by_role("alert")
        await expect(notice).to_contain_text("このページではチャットを表示できません", timeout=15_000)
        await expect(notice).to_contain_text("WIDGET_FRAME_ANCESTORS")
        await expect(notice.get_by_role("link", name="チャットを別のタブで開く")).to_have_attribute(
            "href", live_server.url + "/"
        )
        await expect(page.locator(FRAME)).to_be_hidden()
        await notice.get_by_role("button", name="閉じる").click()
        await expect(page.get_by_role("dialog")).to_be_hidden()
