"""A page object for the operators' console, and a console user in the live server's database."""

import re

from playwright.async_api import Locator, Page, expect

from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.auth.schemas import UserCreate
from mnp_chatbot.auth.users import UserService
from mnp_chatbot.core import db

ADMIN_EMAIL = "console-admin@example.jp"
ADMIN_PASSWORD = "kanri-console-2026!"


async def create_admin(database_url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """An active admin, created the way `mnp-chatbot create-admin` does."""
    engine = db.create_engine(database_url, db.PoolSettings(1, 2, False))
    try:
        users = UserService(db.create_sessionmaker(engine), AuditTrail(enabled=True))
        await users.create(
            None, UserCreate(email=email, display_name="運用 花子", password=password, role="admin")
        )
    finally:
        await engine.dispose()


class ConsolePage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.menu = page.get_by_role("navigation", name="メニュー")

    async def log_in(self, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
        await self.page.goto(self.base_url + "/admin")
        await self.page.get_by_label("メールアドレス").fill(email)
        await self.page.get_by_label("パスワード").fill(password)
        await self.page.get_by_role("button", name="ログイン").click()
        await expect(self.menu).to_be_visible()

    async def open(self, section: str) -> None:
        await self.menu.get_by_role("link", name=section, exact=True).click()
        await expect(self.page.get_by_role("heading", level=1)).to_be_visible()

    async def try_question(self, question: str) -> Locator:
        """Asks on the bench; returns the reply's text."""
        await self.open("質問を試す")
        await self.page.get_by_label("質問", exact=True).fill(question)
        await self.page.get_by_role("button", name="試す").click()
        reply = self.page.get_by_test_id("bench-reply-text")
        await expect(reply).not_to_be_empty()
        return reply

    def ranking_link(self, rank: int) -> Locator:
        table = self.page.get_by_role("region", name="検索の順位")
        return table.locator("tbody tr").nth(rank - 1).get_by_role("link")

    async def saved(self) -> None:
        await expect(
            self.page.get_by_role("status").filter(has_text=re.compile("保存しました"))
        ).to_be_visible()
