"""The console's pages for people and their traces, in headless Chromium against the real app: an admin adds,
re-roles, disables and signs out a user, then finds those steps in the audit log by actor, action and day."""

import datetime as dt
import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Dialog, Page, expect

from mnp_chatbot.core.clock import JST
from tests.e2e.admin_page import ConsolePage, create_admin
from tests.e2e.live import LiveServer
from tests.e2e.test_chat import AXE, AXE_VIOLATIONS

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
NEW_EMAIL = "yamada.taro@example.jp"
NEW_PASSWORD = "atarashii-pass-2026"


@pytest.fixture(scope="module")
async def console_admin(live_server: LiveServer) -> LiveServer:
    await create_admin(live_server.database_url)
    return live_server


@pytest.fixture
async def desktop(browser: Browser) -> AsyncIterator[BrowserContext]:
    created = await browser.new_context(viewport=DESKTOP, locale="ja-JP")  # type: ignore[arg-type]
    created.set_default_timeout(20_000)
    yield created
    await created.close()


async def signed_in(
    context: BrowserContext, url: str, email: str, password: str, *, confirm: bool = True
) -> tuple[Page, list[str]]:
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if confirm:
        page.on("dialog", lambda dialog: dialog.accept())
    await ConsolePage(page, url).log_in(email, password)
    return page, errors


class TestUsers:
    async def test_an_admin_adds_changes_disables_and_signs_out_a_user(
        self, desktop: BrowserContext, browser: Browser, console_admin: LiveServer
    ) -> None:
        page, errors = await signed_in(
            desktop, console_admin.url, "console-admin@example.jp", "kanri-console-2026!"
        )
        await ConsolePage(page, console_admin.url).open("ユーザー")
        invite = page.get_by_role("form", name="ユーザーを追加")
        await invite.get_by_label("メールアドレス").fill(NEW_EMAIL)
        await invite.get_by_label("表示名").fill("山田 太郎")
        await invite.get_by_label("初期パスワード").fill(NEW_PASSWORD)
        await invite.get_by_label("役割").select_option(label="オペレーター")
        await invite.get_by_role("button", name="追加する").click()
        added_note = "山田 太郎 さん（オペレーター）を追加しました"
        await expect(page.get_by_role("status")).to_contain_text(added_note)
        row = page.get_by_role("row").filter(has_text=NEW_EMAIL)
        await expect(row.get_by_label("山田 太郎 さんの役割")).to_have_value("operator")

        # The new operator signs in elsewhere; signing them out everywhere ends that sign-in.
        other = await browser.new_context(viewport=DESKTOP, locale="ja-JP")  # type: ignore[arg-type]
        try:
            theirs, _ = await signed_in(other, console_admin.url, NEW_EMAIL, NEW_PASSWORD)
            await expect(theirs.get_by_role("navigation", name="メニュー")).to_be_visible()
            await expect(theirs.get_by_role("link", name="ユーザー", exact=True)).to_have_count(0)
            await row.get_by_role("button", name="全端末からログアウト").click()
            await expect(page.get_by_role("status")).to_contain_text("すべての端末からログアウトさせました")
            await theirs.reload()
            await expect(theirs.get_by_role("button", name="ログイン")).to_be_visible()
        finally:
            await other.close()

        await row.get_by_label("山田 太郎 さんの役割").select_option(label="閲覧者")
        await expect(page.get_by_role("status")).to_contain_text("役割を閲覧者に変更しました")
        await row.get_by_role("button", name="無効にする").click()
        await expect(row.get_by_text("無効", exact=True)).to_be_visible()
        await expect(row.get_by_role("button", name="有効にする")).to_be_visible()

        refused = await desktop.request.post(
            console_admin.url + "/api/auth/login", data={"email": NEW_EMAIL, "password": NEW_PASSWORD}
        )
        assert refused.status == 401

        await ConsolePage(page, console_admin.url).open("監査ログ")
        log = page.get_by_role("table")
        added = log.get_by_role("row").filter(has_text="ユーザー追加")
        await expect(added.filter(has_text="運用 花子")).to_have_count(1)  # and one by the CLI (システム)
        await expect(added.filter(has_text="システム")).to_have_count(1)
        await page.get_by_label("操作", exact=True).select_option(label="ユーザー変更")
        await expect(log.get_by_role("row").filter(has_text="ログイン")).to_have_count(0)
        changed = log.get_by_role("row").filter(has_text="ユーザー変更")
        await expect(changed.first).to_contain_text("運用 花子")
        await page.get_by_label("操作", exact=True).select_option(label="すべて")
        await page.get_by_label("操作者").select_option(label=f"山田 太郎（{NEW_EMAIL}）")
        await expect(log.get_by_role("row").filter(has_text="ログイン").first).to_contain_text("山田 太郎")
        await expect(log.get_by_role("row").filter(has_text="運用 花子")).to_have_count(0)
        tomorrow = dt.datetime.now(JST).date() + dt.timedelta(days=1)
        await page.get_by_label("開始日").fill(tomorrow.isoformat())
        await expect(page.get_by_text("条件に合う記録はありません。")).to_be_visible()
        assert errors == []

    async def test_the_pages_pass_axe(self, browser: Browser, console_admin: LiveServer) -> None:
        if not AXE.is_file():
            pytest.skip(f"{AXE} is missing: run `npm ci` in frontend/")
        context = await browser.new_context(viewport=DESKTOP, bypass_csp=True)  # type: ignore[arg-type]
        try:
            page = await context.new_page()
            console = ConsolePage(page, console_admin.url)
            await console.log_in()
            for section in ("ユーザー", "監査ログ"):
                await console.open(section)
                await expect(page.locator("table").first).to_be_visible()
                await page.add_script_tag(path=AXE)
                assert await page.evaluate(AXE_VIOLATIONS) == [], section
        finally:
            await context.close()


class TestSmallThings:
    async def test_favicon_and_plain_input_text(
        self, desktop: BrowserContext, console_admin: LiveServer
    ) -> None:
        page, errors = await signed_in(
            desktop, console_admin.url, "console-admin@example.jp", "kanri-console-2026!"
        )
        failed: list[str] = []
        page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
        await page.reload()
        await expect(page.get_by_role("navigation", name="メニュー")).to_be_visible()
        header = page.locator(".admin-user")
        await expect(header).to_contain_text("運用 花子（管理者）")
        icon = await desktop.request.get(console_admin.url + "/favicon.ico")
        assert icon.status == 200
        assert icon.headers["content-type"].startswith("image/")
        assert (await icon.body())[:4] == b"\x00\x00\x01\x00"
        href = await page.locator('link[rel="icon"]').get_attribute("href")
        assert href is not None
        linked = await desktop.request.get(console_admin.url + href)
        assert (linked.status, linked.headers["content-type"]) == (200, "image/svg+xml")
        weight = await page.get_by_label("キーワード").evaluate(
            "(input) => getComputedStyle(input).fontWeight"
        )
        assert weight == "400"
        assert failed == []
        assert errors == []


class TestFaqTools:
    async def test_brand_names_ranked_keywords_empty_results_and_unsaved_changes(
        self, desktop: BrowserContext, console_admin: LiveServer
    ) -> None:
        page, errors = await signed_in(
            desktop, console_admin.url, "console-admin@example.jp", "kanri-console-2026!", confirm=False
        )
        dialogs: list[str] = []

        async def dismiss(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            await dialog.dismiss()

        page.on("dialog", dismiss)
        filters = page.get_by_role("form", name="FAQの絞り込み")
        table = page.get_by_role("table")
        await filters.get_by_label("ブランド").fill("ドコモ")
        await filters.get_by_role("button", name="検索").click()
        await expect(page.get_by_text(re.compile(r"^[1-9]\d* 件中"))).to_be_visible()
        brands = await table.locator("tbody tr td:nth-child(3)").all_inner_texts()
        assert brands, "no entries for ドコモ"
        assert all("docomo" not in cell for cell in brands), brands

        await filters.get_by_label("ブランド").fill("")
        await filters.get_by_label("キーワード").fill("有効期限")
        await filters.get_by_role("button", name="検索").click()
        first = table.locator("tbody tr").first.get_by_role("link")
        await expect(first).to_contain_text("有効期限")

        await filters.get_by_label("キーワード").fill("そんな言葉はどこにもない")
        await filters.get_by_role("button", name="検索").click()
        await expect(page.get_by_text("条件に合うFAQは見つかりませんでした。")).to_be_visible()
        await expect(table).to_have_count(0)

        await filters.get_by_label("キーワード").fill("有効期限")
        await filters.get_by_role("button", name="検索").click()
        await first.click()
        answer = page.get_by_label(re.compile(r"^回答"))
        await answer.fill("まだ保存していない回答です。")
        await page.get_by_role("link", name="← FAQ一覧へ").click()
        await expect(answer).to_have_value("まだ保存していない回答です。")
        assert dialogs == ["保存していない変更があります。破棄してこのページを離れますか？"]
        assert errors == []


class TestCarrierEditor:
    async def test_editing_opens_where_the_operator_is_looking(
        self, desktop: BrowserContext, console_admin: LiveServer
    ) -> None:
        page, errors = await signed_in(
            desktop, console_admin.url, "console-admin@example.jp", "kanri-console-2026!"
        )
        await ConsolePage(page, console_admin.url).open("事業者")
        edit = page.get_by_role("button", name="編集").first  # the editor opens below the whole table
        await edit.click()
        # The editor is a form now (its JSON is an advanced view): its heading takes focus, in view.
        heading = page.get_by_role("heading", name=re.compile("の編集$"))
        await expect(heading).to_be_focused()
        await expect(heading).to_be_in_viewport()
        assert errors == []


class TestSignInThrottle:
    """Last in this module: it spends the loopback address's sign-in budget."""

    async def test_a_refused_sign_in_says_how_long_to_wait(
        self, desktop: BrowserContext, console_admin: LiveServer
    ) -> None:
        page = await desktop.new_page()
        await page.goto(console_admin.url + "/admin")
        alert = page.get_by_role("alert")
        for attempt in range(6):
            await page.get_by_label("メールアドレス").fill("someone@example.jp")
            await page.get_by_label("パスワード").fill(f"まちがい-{attempt}")
            await page.get_by_role("button", name="ログイン").click()
            await expect(page.get_by_role("button", name="ログイン")).to_be_enabled()
        await expect(alert).to_contain_text(re.compile(r"ログインの試行が多すぎます。\d+分ほど待って"))
