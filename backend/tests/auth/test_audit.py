"""The append-only audit trail and its admin view."""

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.models import AuditLog
from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail, clean_details
from mnp_chatbot.core.clock import JST
from tests.auth.support import Account, bearer, sign_in
from tests.fixtures.app import SettingsFactory


async def add_entry(db: async_sessionmaker[AsyncSession], **details: Any) -> AuditLog:
    async with db.begin() as session:
        entry = await AuditTrail(enabled=True).record(
            session, AuditEvent(AuditAction.SETTING_CHANGED, details=details)
        )
    assert entry is not None
    return entry


class TestAppendOnly:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE audit_logs SET action = 'auth.logout'",
            "DELETE FROM audit_logs",
            "TRUNCATE audit_logs",
        ],
    )
    async def test_rows_cannot_be_changed_or_removed(
        self, db: async_sessionmaker[AsyncSession], statement: str
    ) -> None:
        await add_entry(db, name="MASK_PERSONAL_DATA")
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.begin() as session:
                await session.execute(text(statement))
        async with db() as session:
            assert await session.scalar(text("SELECT count(*) FROM audit_logs")) == 1


class TestDetails:
    @pytest.mark.parametrize(
        ("value", "leaked"),
        [
            ("お客様の電話番号は090-1234-5678です", "090-1234-5678"),
            ("連絡先 taro.yamada@example.jp", "taro.yamada@example.jp"),
            ("カード4111 1111 1111 1111", "4111 1111 1111 1111"),
        ],
    )
    def test_strings_are_masked(self, value: str, leaked: str) -> None:
        cleaned = clean_details({"note": value})
        assert leaked not in str(cleaned["note"])

    def test_strings_are_cut_short_and_only_scalars_pass(self) -> None:
        assert len(str(clean_details({"note": "あ" * 500})["note"])) == 120
        with pytest.raises(TypeError):
            clean_details({"messages": ["本文"]})  # type: ignore[dict-item]

    async def test_nothing_is_written_when_audit_logs_are_off(
        self, db: async_sessionmaker[AsyncSession]
    ) -> None:
        async with db.begin() as session:
            assert await AuditTrail(enabled=False).record(session, AuditEvent(AuditAction.LOGIN)) is None
        async with db() as session:
            assert await session.scalar(text("SELECT count(*) FROM audit_logs")) == 0


class TestAdminView:
    async def test_admins_page_through_the_log_newest_first(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], db: async_sessionmaker[AsyncSession]
    ) -> None:
        for number in range(5):
            await add_entry(db, step=number)
        admin = bearer(await sign_in(client, accounts["admin"]))
        first = (await client.get("/api/admin/audit-logs?limit=3", headers=admin)).json()
        assert first["items"][0]["action"] == "auth.login"
        assert first["nextBeforeId"] == first["items"][-1]["id"]
        rest = (
            await client.get(
                f"/api/admin/audit-logs?limit=50&beforeId={first['nextBeforeId']}", headers=admin
            )
        ).json()
        ids = [item["id"] for item in first["items"] + rest["items"]]
        assert ids == sorted(ids, reverse=True)
        assert len(ids) == 3 + 5 + 1  # the three accounts created, five entries, one login
        assert rest["nextBeforeId"] is None
        filtered = (await client.get("/api/admin/audit-logs?action=setting.changed", headers=admin)).json()
        assert {item["action"] for item in filtered["items"]} == {"setting.changed"}

    async def test_admins_filter_the_log_by_day_in_japan_time(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], db: async_sessionmaker[AsyncSession]
    ) -> None:
        await add_entry(db, step=1)
        admin = bearer(await sign_in(client, accounts["admin"]))
        today = dt.datetime.now(JST).date()
        day = dt.timedelta(days=1)

        async def actions(query: str) -> list[str]:
            response = await client.get(f"/api/admin/audit-logs?{query}", headers=admin)
            assert response.status_code == 200, response.text
            return [item["action"] for item in response.json()["items"]]

        assert "setting.changed" in await actions(f"from={today}&to={today}")
        assert await actions(f"from={today + day}") == []
        assert await actions(f"to={today - day}") == []
        bad = await client.get("/api/admin/audit-logs?from=2026-13-01", headers=admin)
        assert bad.status_code == 422

    async def test_failed_logins_are_audited_without_the_password(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        attempt = "間違ったパスワード-secret-9876"
        await client.post("/api/auth/login", json={"email": accounts["operator"].email, "password": attempt})
        admin = bearer(await sign_in(client, accounts["admin"]))
        response = await client.get("/api/admin/audit-logs?action=auth.login_failed", headers=admin)
        items = response.json()["items"]
        assert len(items) == 1
        assert items[0]["actorId"] == str(accounts["operator"].id)
        assert items[0]["details"]["reason"] == "bad_credentials"
        assert attempt not in response.text

    async def test_audit_logging_can_be_turned_off(
        self,
        make_settings: SettingsFactory,
        db: async_sessionmaker[AsyncSession],
        accounts: dict[str, Account],
    ) -> None:
        from asgi_lifespan import LifespanManager

        from mnp_chatbot.main import create_app

        app = create_app(make_settings(ENABLE_AUDIT_LOGS=False))
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                await sign_in(client, accounts["viewer"])
        async with db() as session:
            logins = await session.scalar(text("SELECT count(*) FROM audit_logs WHERE action = 'auth.login'"))
        assert logins == 0
