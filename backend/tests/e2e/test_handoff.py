"""Human hand-off in Chromium across two app instances sharing PostgreSQL and Redis: a customer on one asks
for a human, an operator signed in on the other claims, they talk live, the operator resolves and the bot
answers again; and outside business hours the customer leaves a call-back contact that is stored encrypted
and shown to the operator."""

import asyncio
import re
import threading
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, expect

from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.auth.schemas import UserCreate
from mnp_chatbot.auth.users import UserService
from mnp_chatbot.core import db
from mnp_chatbot.core.config import Settings
from mnp_chatbot.main import asgi, create_app
from tests.e2e.admin_page import ADMIN_EMAIL, ADMIN_PASSWORD, ConsolePage, create_admin
from tests.e2e.chat_page import ChatPage, save
from tests.e2e.live import _free_socket, _wait_started
from tests.fixtures.app import TEST_REDIS_URL
from tests.fixtures.database import TEMPLATE, admin_execute, with_database

pytestmark = pytest.mark.browser

OPERATOR_EMAIL = "madoguchi@example.jp"
OPERATOR_NAME = "窓口 太郎"
DESKTOP = {"width": 1280, "height": 900}
CALLBACK_PHONE = "080-2345-6789"
LIVE = 20_000  # ms to wait for an event pushed from the other instance (the machine may be busy)


@dataclass
class Pair:
    a: str
    b: str
    database_url: str


@pytest.fixture(scope="module")
async def two_instances(
    built_frontend: Path, server_url: str, template_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Pair]:
    name = f"mnp_e2e_handoff_{uuid.uuid4().hex[:10]}"
    await admin_execute(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    database_url = with_database(server_url, name)
    redis = aioredis.Redis.from_url(TEST_REDIS_URL)
    await redis.flushdb()
    settings = Settings(
        _env_file=None,
        ENVIRONMENT="test",
        DATABASE_URL=database_url,
        DATABASE_POOL_MIN=1,
        DATABASE_POOL_MAX=5,
        DATA_DIR=tmp_path_factory.mktemp("e2e-handoff"),
        LOG_LEVEL="warning",
        REDIS_URL=TEST_REDIS_URL,
    )
    servers: list[tuple[uvicorn.Server, threading.Thread, str]] = []
    try:
        for _ in range(2):
            sock = _free_socket()
            config = uvicorn.Config(
                asgi(create_app(settings)), log_config=None, access_log=False, lifespan="on"
            )
            server = uvicorn.Server(config)
            thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
            thread.start()
            await _wait_started(server, thread)
            servers.append((server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"))
        await create_admin(database_url)
        engine = db.create_engine(database_url, db.PoolSettings(1, 2, False))
        users = UserService(db.create_sessionmaker(engine), AuditTrail(enabled=True))
        operator = UserCreate(
            email=OPERATOR_EMAIL, display_name=OPERATOR_NAME, password=ADMIN_PASSWORD, role="operator"
        )
        await users.create(None, operator)
        await engine.dispose()
        yield Pair(servers[0][2], servers[1][2], database_url)
    finally:
        for server, thread, _ in servers:
            server.should_exit = True
            await asyncio.to_thread(thread.join, 30)
        await redis.flushdb()
        await redis.aclose()
        await admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def desktop(browser: Browser) -> AsyncIterator[BrowserContext]:
    created = await browser.new_context(viewport=DESKTOP, locale="ja-JP")  # type: ignore[arg-type]
    created.set_default_timeout(20_000)
    yield created
    await created.close()


async def opened(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(url)
    return page, errors


async def operator_console(context: BrowserContext, base: str) -> tuple[Page, list[str]]:
    page, errors = await opened(context, base + "/admin")
    console = ConsolePage(page, base)
    await console.log_in(OPERATOR_EMAIL, ADMIN_PASSWORD)
    await console.open("有人対応")
    await page.get_by_label("在席状況").select_option("online")
    await expect(page.get_by_label("在席状況")).to_have_value("online")
    return page, errors


async def set_hours(base: str, hours: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        login = await http.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
        saved = await http.put("/api/admin/handoff-settings", json={"hours": hours}, headers=headers)
        assert saved.status_code == 200, saved.text


class TestHandoff:
    async def test_customer_and_operator_on_two_instances_talk_live(
        self, context: BrowserContext, desktop: BrowserContext, two_instances: Pair, screenshots: Path
    ) -> None:
        console, console_errors = await operator_console(desktop, two_instances.b)
        customer, customer_errors = await opened(context, two_instances.a + "/")
        chat = ChatPage(customer)

        await customer.get_by_role("banner").get_by_role("button", name="オペレーターと話す").click()
        panel = customer.get_by_role("region", name="オペレーター対応")
        await expect(panel).to_contain_text("1番目にお待ちです", timeout=LIVE)
        await save(customer, screenshots, "handoff-01-customer-waiting")

        arrived = (
            console.get_by_role("region", name="待機中").get_by_role("link").filter(has_text="お客さまの希望")
        )
        await expect(arrived).to_have_count(1, timeout=LIVE)  # live, from the other instance
        await expect(console).to_have_title(re.compile(r"^\(1\) "), timeout=LIVE)
        await arrived.click()
        await console.get_by_role("button", name="対応する").click()
        await expect(customer.locator(".notice-line").last).to_contain_text(
            f"オペレーターの{OPERATOR_NAME}がご対応します", timeout=LIVE
        )
        await expect(panel).to_contain_text(OPERATOR_NAME, timeout=LIVE)

        await console.get_by_label("お客さまへの返信").fill(
            "お待たせしました。窓口の太郎です。ご用件をどうぞ。"
        )
        await console.get_by_role("button", name="送信", exact=True).click()
        said = customer.locator("li.row-operator").last
        await expect(said).to_contain_text("窓口の太郎です", timeout=LIVE)
        await expect(said).to_contain_text(OPERATOR_NAME)
        await save(customer, screenshots, "handoff-02-customer-operator-reply")

        await chat.input.fill("解約金について相談したいです")
        await chat.input.press("Enter")
        transcript = console.get_by_role("list", name="会話の記録")
        await expect(transcript).to_contain_text("解約金について相談したいです", timeout=LIVE)
        await expect(customer.locator("li.row-assistant[data-message-id]")).to_have_count(2)  # no bot reply
        await save(console, screenshots, "handoff-03-console-conversation")

        await console.get_by_role("button", name="解決して終了").click()
        await expect(customer.locator(".notice-line").last).to_contain_text(
            "チャットボットがお答えします", timeout=LIVE
        )
        answer = await chat.ask("予約番号の有効期限は何日ですか？")
        await expect(answer).to_contain_text("15日")
        await save(customer, screenshots, "handoff-04-bot-again")
        assert customer_errors == []
        assert console_errors == []

    async def test_outside_hours_the_call_back_contact_is_sealed_and_shown_to_the_operator(
        self, context: BrowserContext, desktop: BrowserContext, two_instances: Pair, screenshots: Path
    ) -> None:
        await set_hours(two_instances.a, "mon-fri 00:00-00:01 Asia/Tokyo")
        try:
            customer, customer_errors = await opened(context, two_instances.a + "/")
            await customer.get_by_role("banner").get_by_role("button", name="オペレーターと話す").click()
            form = customer.get_by_role("form", name="折り返しのご連絡先")
            await expect(form).to_be_visible()
            await expect(customer.get_by_role("region", name="オペレーター対応")).to_contain_text(
                "対応時間外"
            )
            await form.get_by_label("電話番号").fill(CALLBACK_PHONE)
            await form.get_by_label("ご希望の時間帯（任意）").fill("平日の夕方")
            await form.get_by_role("button", name="連絡先を送信").click()
            await expect(customer.get_by_text("折り返しのご連絡先を承りました")).to_be_visible()
            await save(customer, screenshots, "handoff-05-callback-left")

            connection = await asyncpg.connect(two_instances.database_url.replace("+asyncpg", ""))
            try:
                blobs = [
                    row[0]
                    for row in await connection.fetch(
                        "SELECT contact_ciphertext FROM handoffs WHERE contact_ciphertext IS NOT NULL"
                    )
                ]
            finally:
                await connection.close()
            assert len(blobs) == 1
            assert CALLBACK_PHONE.encode() not in blobs[0]
            assert b"08023456789" not in blobs[0]
            assert "平日の夕方".encode() not in blobs[0]

            console, console_errors = await opened(desktop, two_instances.b + "/admin")
            console_page = ConsolePage(console, two_instances.b)
            await console_page.log_in(OPERATOR_EMAIL, ADMIN_PASSWORD)
            await console_page.open("折り返し")
            await console.get_by_role("button", name="連絡先を表示").click()
            await expect(console.get_by_text(CALLBACK_PHONE)).to_be_visible()
            await expect(console.get_by_text("平日の夕方", exact=False)).to_be_visible()
            await save(console, screenshots, "handoff-06-console-callback")
            await console.get_by_role("button", name="対応済みにする").click()
            await expect(console.get_by_role("button", name="対応済みにする")).to_have_count(0)
            assert customer_errors == []
            assert console_errors == []
        finally:
            await set_hours(two_instances.a, "always")
