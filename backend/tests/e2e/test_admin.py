"""The operators' console in headless Chromium against the real app: sign-in, editing a FAQ changes the bot's
answer at once, customer feedback shows up in the console, and the console on a phone."""

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.admin_page import ConsolePage, create_admin
from tests.e2e.chat_page import ChatPage, save
from tests.e2e.live import LiveServer
from tests.e2e.test_chat import AXE, AXE_VIOLATIONS

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
QUESTION = "予約番号の有効期限は何日ですか？"
MARKER = "管理画面から更新した回答です。"


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


async def new_page(context: BrowserContext) -> tuple[Page, list[str]]:
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


class TestConsole:
    async def test_a_wrong_password_is_refused(
        self, desktop: BrowserContext, console_admin: LiveServer
    ) -> None:
        page, errors = await new_page(desktop)
        await page.goto(console_admin.url + "/admin/faqs")
        await page.get_by_label("メールアドレス").fill("console-admin@example.jp")
        await page.get_by_label("パスワード").fill("まちがったパスワードです")
        await page.get_by_role("button", name="ログイン").click()
        await expect(page.get_by_role("alert")).to_contain_text("正しくありません")
        await expect(page.get_by_role("navigation", name="メニュー")).to_have_count(0)
        assert errors == []

    async def test_editing_a_faq_changes_the_bots_answer(
        self, desktop: BrowserContext, console_admin: LiveServer, screenshots: Path
    ) -> None:
        page, errors = await new_page(desktop)
        console = ConsolePage(page, console_admin.url)
        await console.log_in()
        await save(page, screenshots, "admin-01-faq-list")

        before = await console.try_question(QUESTION)
        await expect(before).not_to_contain_text(MARKER)
        await save(page, screenshots, "admin-02-bench")
        await console.ranking_link(1).click()

        answer = page.get_by_label(re.compile("^回答"))
        original = await answer.input_value()
        await answer.fill(f"{MARKER}{original}")
        await page.get_by_role("button", name="保存").click()
        await console.saved()
        await save(page, screenshots, "admin-03-faq-saved")

        # Live without a restart: the bench and the customer chat both answer with the new text.
        await expect(await console.try_question(QUESTION)).to_contain_text(MARKER)
        chat_page, chat_errors = await new_page(desktop)
        await chat_page.goto(console_admin.url + "/")
        reply = await ChatPage(chat_page).ask(QUESTION)
        await expect(reply).to_contain_text(MARKER)

        # A reload keeps the operator signed in (refresh token in this tab), on the same page.
        await page.reload()
        await expect(page.get_by_role("heading", name="質問を試す")).to_be_visible()
        assert errors == []
        assert chat_errors == []

    async def test_customer_feedback_shows_up_in_the_console(
        self, desktop: BrowserContext, console_admin: LiveServer, screenshots: Path
    ) -> None:
        chat_page, chat_errors = await new_page(desktop)
        await chat_page.goto(console_admin.url + "/")
        question = "SIMロックの解除は必要ですか？"
        answer = await ChatPage(chat_page).ask(question)
        async with chat_page.expect_response(re.compile(r"/api/messages/.+/feedback$")) as posted:
            await answer.get_by_role("button", name="役に立たなかった").click()
        assert (await posted.value).status == 201

        page, errors = await new_page(desktop)
        console = ConsolePage(page, console_admin.url)
        await console.log_in()
        await console.open("会話")
        await page.get_by_role("combobox", name=re.compile("^評価")).select_option("down")
        rows = page.locator("table tbody tr")
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("低 1")
        await rows.first.get_by_role("link").click()
        transcript = page.locator("ol.transcript")
        await expect(transcript).to_contain_text(question)
        await expect(transcript.get_by_text("低評価（役に立たなかった）")).to_be_visible()
        await save(page, screenshots, "admin-04-transcript-with-feedback")

        await console.open("未解決の質問")
        gap = page.locator("li.gap").filter(has_text=question)
        await expect(gap).to_contain_text("低評価 1")
        await gap.get_by_role("button", name="このFAQを作る").click()
        await expect(page.get_by_role("heading", name="新しいFAQ")).to_be_visible()
        await expect(page.get_by_label("質問", exact=True)).to_have_value(re.compile("SIMロック"))
        await save(page, screenshots, "admin-05-gap-draft")

        await console.open("分析")
        await expect(page.get_by_role("figure").first).to_be_visible()
        await expect(page.get_by_role("region", name="期間の合計")).to_contain_text("会話数")
        await save(page, screenshots, "admin-06-analytics")
        assert errors == []
        assert chat_errors == []

    async def test_exports_the_faqs_and_checks_the_file_back_in(
        self, desktop: BrowserContext, console_admin: LiveServer, tmp_path: Path
    ) -> None:
        page, errors = await new_page(desktop)
        console = ConsolePage(page, console_admin.url)
        await console.log_in()
        transfer = page.get_by_role("region", name="FAQの書き出し・読み込み")
        await transfer.get_by_label("形式").select_option("json")
        async with page.expect_download() as download_info:
            await transfer.get_by_role("button", name="書き出す").click()
        download = await download_info.value
        assert download.suggested_filename == "faqs.json"
        exported = tmp_path / "faqs.json"
        await download.save_as(exported)
        records = json.loads(exported.read_text(encoding="utf-8"))
        assert len(records) > 3
        assert all({"slug", "question", "answer"} <= record.keys() for record in records)

        # Three entries back unchanged (the whole file is over the default MAX_BODY_BYTES).
        subset = tmp_path / "three.json"
        subset.write_text(json.dumps(records[:3], ensure_ascii=False), encoding="utf-8")
        await transfer.get_by_label("ファイル").set_input_files(subset)
        await transfer.get_by_role("button", name="確認だけする").click()
        await expect(transfer.get_by_role("status")).to_contain_text(
            "確認のみ：全3件（新規 0・更新 0・変更なし 3）"
        )
        assert errors == []

    async def test_the_console_fits_a_phone(
        self, context: BrowserContext, console_admin: LiveServer, screenshots: Path
    ) -> None:
        page, errors = await new_page(context)
        console = ConsolePage(page, console_admin.url)
        await console.log_in()
        for section in ("FAQ", "分析", "質問を試す"):
            await console.open(section)
            overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{section} scrolls sideways by {overflow}px on a phone"
        await console.try_question("povoに乗り換えたい")
        await save(page, screenshots, "admin-07-phone-bench")
        await page.get_by_role("button", name="ログアウト").click()
        await expect(page.get_by_role("button", name="ログイン")).to_be_visible()
        await page.reload()
        await expect(page.get_by_role("button", name="ログイン")).to_be_visible()
        assert errors == []


class TestConsoleAccessibility:
    async def test_axe_finds_no_problems(self, browser: Browser, console_admin: LiveServer) -> None:
        if not AXE.is_file():
            pytest.skip(f"{AXE} is missing: run `npm ci` in frontend/")
        # The app's CSP rightly refuses injected scripts; only this audit bypasses it.
        context = await browser.new_context(viewport=DESKTOP, bypass_csp=True)  # type: ignore[arg-type]
        try:
            page = await context.new_page()
            await page.goto(console_admin.url + "/admin")
            await page.add_script_tag(path=AXE)
            assert await page.evaluate(AXE_VIOLATIONS) == [], "login page"
            console = ConsolePage(page, console_admin.url)
            await console.log_in()
            await console.try_question(QUESTION)
            pages = {"質問を試す": None, "FAQ": "table", "分析": "figure", "事業者": "table", "会話": "table"}
            for section, ready in pages.items():
                if section != "質問を試す":
                    await console.open(section)
                if ready:
                    await expect(page.locator(ready).first).to_be_visible()
                await page.add_script_tag(path=AXE)
                assert await page.evaluate(AXE_VIOLATIONS) == [], section
        finally:
            await context.close()


class TestCarrierForm:
    """Issue 18: carriers are edited as a form, grouped, with each problem in Japanese next to its field and
    the raw JSON as an advanced view that follows the form."""

    async def test_an_operator_edits_a_fee_sees_a_url_problem_at_its_field_and_saves(
        self, desktop: BrowserContext, console_admin: LiveServer, screenshots: Path
    ) -> None:
        page, errors = await new_page(desktop)
        console = ConsolePage(page, console_admin.url)
        await console.log_in()
        await console.open("事業者")
        row = page.get_by_role("row").filter(has_text="日本通信SIM")
        await row.get_by_role("button", name="編集").click()
        editor = page.locator(".carrier-editor")
        for group in ("基本情報", "予約番号の取得", "手数料", "転出", "乗り換え後", "出典"):
            await expect(editor.get_by_role("group", name=group, exact=True)).to_be_visible()

        fee = editor.get_by_role("group", name=re.compile(r"^手数料 1"))
        amount = fee.get_by_label("金額（円・税込）")
        await expect(amount).to_have_value("3300")
        await amount.fill("3520")
        url = editor.get_by_label("公式サイトのURL")
        await url.fill("nihontsushin.com")
        await editor.get_by_role("button", name="日本通信SIM を保存").click()

        await expect(url).to_have_attribute("aria-invalid", "true")
        await expect(url).to_have_accessible_description(re.compile("正しいURLを指定してください"))
        problem = editor.locator(".form-field", has=page.get_by_label("公式サイトのURL")).locator(
            ".field-error"
        )
        await expect(problem).to_have_text(re.compile("正しいURLを指定してください"))
        await save(page, screenshots, "carrier-form-url-problem")

        await url.fill("https://www.nihontsushin.com/")
        await editor.get_by_role("button", name="日本通信SIM を保存").click()
        await expect(editor.get_by_role("status")).to_contain_text("保存しました")
        await expect(url).not_to_have_attribute("aria-invalid", "true")

        await editor.get_by_role("button", name="JSONで編集（上級者向け）").click()
        raw = editor.get_by_label(re.compile("日本通信SIM のデータ"))
        document = json.loads(await raw.input_value())
        assert document["fees"][0]["amountYen"] == 3520
        stored = await page.request.get(console_admin.url + "/api/carriers")
        [carrier] = [c for c in (await stored.json())["items"] if c["id"] == "nihon_tsushin"]
        assert carrier["document"]["fees"][0]["amountYen"] == 3520

        # Back in the form, the amount is put back as it was (the other tests read the same database).
        await editor.get_by_role("button", name="フォームに戻る").click()
        await (
            editor.get_by_role("group", name=re.compile(r"^手数料 1"))
            .get_by_label("金額（円・税込）")
            .fill("3300")
        )
        await editor.get_by_role("button", name="日本通信SIM を保存").click()
        await expect(editor.get_by_role("status")).to_contain_text("保存しました")
        assert errors == []
