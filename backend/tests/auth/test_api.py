"""Sign-in, refresh rotation, logout, user management and the role matrix, through the real app
(security.md tests 37–40)."""

import asyncio
import datetime as dt
import math
import statistics
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.models import AuditLog
from mnp_chatbot.auth import throttle, tokens
from mnp_chatbot.auth.models import User
from mnp_chatbot.main import create_app
from tests.auth.support import Account, bearer, create_account, sign_in
from tests.fixtures.app import SettingsFactory

GUESSED_KEY = tokens.signing_key(b"guessed secret")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ttl() -> dt.timedelta:
    return dt.timedelta(minutes=5)


async def actions(db: async_sessionmaker[AsyncSession]) -> list[str]:
    async with db() as session:
        return list((await session.scalars(select(AuditLog.action).order_by(AuditLog.id))).all())


class TestLogin:
    async def test_login_returns_a_short_lived_token_pair_that_opens_me(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], db: async_sessionmaker[AsyncSession]
    ) -> None:
        issued = await sign_in(client, accounts["operator"])
        assert issued["tokenType"] == "bearer"
        assert issued["expiresIn"] == 900
        assert issued["user"]["role"] == "operator"
        assert "password" not in str(issued["user"]).lower()
        me = await client.get("/api/auth/me", headers=bearer(issued))
        assert me.status_code == 200
        assert me.json()["email"] == accounts["operator"].email
        assert "auth.login" in await actions(db)

    async def test_every_login_gets_a_new_token_pair(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        first = await sign_in(client, accounts["viewer"])
        second = await sign_in(client, accounts["viewer"])
        assert first["accessToken"] != second["accessToken"]
        assert first["refreshToken"] != second["refreshToken"]

    async def test_the_email_is_matched_without_case(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        account = accounts["admin"]
        response = await client.post(
            "/api/auth/login", json={"email": account.email.upper(), "password": account.password}
        )
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Basic YWRtaW46YWRtaW4="},
            {"Authorization": "Bearer"},
            {"Authorization": "x"},
        ],
    )
    async def test_me_without_a_bearer_token_is_401(
        self, client: httpx.AsyncClient, headers: dict[str, str]
    ) -> None:
        response = await client.get("/api/auth/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"


class TestEnumeration:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Any:
        return make_settings(AUTH_RATE_LIMIT_MAX=100)

    async def test_unknown_email_wrong_password_and_disabled_user_look_the_same(
        self,
        client: httpx.AsyncClient,
        accounts: dict[str, Account],
        db: async_sessionmaker[AsyncSession],
        record_property: Any,
    ) -> None:
        disabled = await create_account(db, "operator")
        admin = await sign_in(client, accounts["admin"])
        patched = await client.patch(
            f"/api/admin/users/{disabled.id}", json={"isActive": False}, headers=bearer(admin)
        )
        assert patched.status_code == 200
        attempts = {
            "unknown": {"email": "nobody@example.jp", "password": "whatever-password"},
            "wrong_password": {"email": accounts["operator"].email, "password": "whatever-password"},
            "disabled": {"email": disabled.email, "password": disabled.password},
        }
        timings: dict[str, list[float]] = {name: [] for name in attempts}
        bodies = set()
        for _ in range(3):
            for name, body in attempts.items():
                started = time.perf_counter()
                response = await client.post("/api/auth/login", json=body)
                timings[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 401
                bodies.add(response.text)
        assert len(bodies) == 1
        medians = {name: statistics.median(values) for name, values in timings.items()}
        spread = max(medians.values()) - min(medians.values())
        record_property("login_p50_ms", {name: round(value) for name, value in medians.items()})
        assert spread < 0.5 * max(medians.values())
        failures = [action for action in await actions(db) if action == "auth.login_failed"]
        assert len(failures) == 9


class TestBruteForce:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Any:
        return make_settings(
            AUTH_RATE_LIMIT_MAX=3, AUTH_ACCOUNT_RATE_LIMIT_MAX=4, TRUSTED_PROXIES=["127.0.0.1"]
        )

    async def test_one_account_is_throttled_at_its_ceiling_from_any_address(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        account = accounts["admin"]
        statuses = []
        for attempt in range(6):
            response = await client.post(
                "/api/auth/login",
                json={"email": account.email, "password": f"wrong-{attempt}"},
                headers={"X-Forwarded-For": f"203.0.113.{attempt + 1}"},
            )
            statuses.append(response.status_code)
        assert statuses == [401, 401, 401, 401, 429, 429]
        blocked = await client.post(
            "/api/auth/login",
            json={"email": account.email, "password": account.password},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        assert blocked.status_code == 429
        wait = int(blocked.headers["retry-after"])
        assert wait > 0
        assert blocked.json()["error"]["code"] == "rate_limited"
        minutes = math.ceil(wait / 60)
        assert f"{minutes}分ほど待って" in blocked.json()["error"]["message"]

    async def test_one_address_is_throttled_across_many_accounts(self, client: httpx.AsyncClient) -> None:
        statuses = []
        for number in range(6):
            response = await client.post(
                "/api/auth/login",
                json={"email": f"user{number}@example.jp", "password": "guess-password"},
                headers={"X-Forwarded-For": "203.0.113.50"},
            )
            statuses.append(response.status_code)
        assert statuses == [401, 401, 401, 429, 429, 429]
        other_client = await client.post(
            "/api/auth/login",
            json={"email": "user0@example.jp", "password": "guess-password"},
            headers={"X-Forwarded-For": "203.0.113.51"},
        )
        assert other_client.status_code == 401

    async def test_successful_logins_do_not_use_up_the_address(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        for _ in range(4):
            await sign_in(client, accounts["viewer"])
        for _ in range(4):
            await sign_in(client, accounts["operator"])

    async def test_a_valid_account_elsewhere_does_not_reset_the_guesses_at_another(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        statuses = []
        for attempt in range(4):
            response = await client.post(
                "/api/auth/login",
                json={"email": accounts["admin"].email, "password": f"wrong-{attempt}"},
            )
            statuses.append(response.status_code)
            await sign_in(client, accounts["viewer"])  # clears the address budget, not the admin pair
        assert statuses == [401, 401, 401, 429]


class TestItem02And08Throttle:
    """Issue 16 items 2 and 8: attempts are counted before the password check; one address cannot lock
    an account out for everyone."""

    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Any:
        return make_settings(AUTH_RATE_LIMIT_MAX=5, TRUSTED_PROXIES=["127.0.0.1"])

    async def test_item02_parallel_wrong_passwords_are_throttled(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        account = accounts["admin"]

        async def guess(number: int) -> httpx.Response:
            return await client.post(
                "/api/auth/login",
                json={"email": account.email, "password": f"wrong-password-{number}"},
                headers={"X-Forwarded-For": "203.0.113.80"},
            )

        responses = await asyncio.gather(*(guess(number) for number in range(30)))
        statuses = [response.status_code for response in responses]
        assert statuses.count(401) <= 5
        assert statuses.count(429) == 30 - statuses.count(401)
        assert all(int(r.headers["retry-after"]) > 0 for r in responses if r.status_code == 429)

    async def test_item08_a_burst_from_one_address_does_not_lock_out_the_admin_elsewhere(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        admin = accounts["admin"]
        statuses = []
        for attempt in range(30):
            response = await client.post(
                "/api/auth/login",
                json={"email": admin.email, "password": f"wrong-{attempt}"},
                headers={"X-Forwarded-For": "203.0.113.66"},
            )
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["retry-after"]) > 0
        assert statuses == [401] * 5 + [429] * 25
        signed_in = await client.post(
            "/api/auth/login",
            json={"email": admin.email, "password": admin.password},
            headers={"X-Forwarded-For": "198.51.100.20"},
        )
        assert signed_in.status_code == 200, signed_in.text
        still_blocked = await client.post(
            "/api/auth/login",
            json={"email": admin.email, "password": admin.password},
            headers={"X-Forwarded-For": "203.0.113.66"},
        )
        assert still_blocked.status_code == 429


class TestRefresh:
    async def test_refresh_rotates_the_pair_and_the_old_refresh_token_is_used_up(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        first = await sign_in(client, accounts["operator"])
        second = (await client.post("/api/auth/refresh", json={"refreshToken": first["refreshToken"]})).json()
        assert second["refreshToken"] != first["refreshToken"]
        assert (await client.get("/api/auth/me", headers=bearer(second))).status_code == 200
        third = await client.post("/api/auth/refresh", json={"refreshToken": second["refreshToken"]})
        assert third.status_code == 200

    async def test_reusing_a_refresh_token_revokes_the_whole_sign_in(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], db: async_sessionmaker[AsyncSession]
    ) -> None:
        stolen = await sign_in(client, accounts["operator"])
        legit = (await client.post("/api/auth/refresh", json={"refreshToken": stolen["refreshToken"]})).json()
        replay = await client.post("/api/auth/refresh", json={"refreshToken": stolen["refreshToken"]})
        assert replay.status_code == 401
        assert replay.json()["error"]["code"] == "invalid_refresh_token"
        assert (
            await client.post("/api/auth/refresh", json={"refreshToken": legit["refreshToken"]})
        ).status_code == 401
        assert (await client.get("/api/auth/me", headers=bearer(legit))).status_code == 401
        assert "auth.refresh_reused" in await actions(db)
        other_sign_in = await sign_in(client, accounts["operator"])
        assert (await client.get("/api/auth/me", headers=bearer(other_sign_in))).status_code == 200

    @pytest.mark.parametrize("token", ["x" * 16, "a" * 43, tokens.new_refresh_token()])
    async def test_unknown_refresh_tokens_are_401(self, client: httpx.AsyncClient, token: str) -> None:
        response = await client.post("/api/auth/refresh", json={"refreshToken": token})
        assert response.status_code == 401

    async def test_an_access_token_is_not_a_refresh_token(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        issued = await sign_in(client, accounts["viewer"])
        response = await client.post("/api/auth/refresh", json={"refreshToken": issued["accessToken"][:128]})
        assert response.status_code == 422


class TestSessionsEnd:
    async def test_logout_ends_the_access_and_refresh_tokens_at_once(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], db: async_sessionmaker[AsyncSession]
    ) -> None:
        issued = await sign_in(client, accounts["operator"])
        other_device = await sign_in(client, accounts["operator"])
        response = await client.post("/api/auth/logout", headers=bearer(issued))
        assert response.status_code == 204
        assert "storage" in response.headers["clear-site-data"]
        assert (await client.get("/api/auth/me", headers=bearer(issued))).status_code == 401
        refreshed = await client.post("/api/auth/refresh", json={"refreshToken": issued["refreshToken"]})
        assert refreshed.status_code == 401
        assert (await client.get("/api/auth/me", headers=bearer(other_device))).status_code == 200
        assert "auth.logout" in await actions(db)

    async def test_disabling_a_user_ends_every_sign_in_at_once(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        admin = await sign_in(client, accounts["admin"])
        victim = [await sign_in(client, accounts["operator"]) for _ in range(2)]
        response = await client.patch(
            f"/api/admin/users/{accounts['operator'].id}", json={"isActive": False}, headers=bearer(admin)
        )
        assert response.status_code == 200
        assert response.json()["isActive"] is False
        for issued in victim:
            assert (await client.get("/api/auth/me", headers=bearer(issued))).status_code == 401
            assert (
                await client.post("/api/auth/refresh", json={"refreshToken": issued["refreshToken"]})
            ).status_code == 401
        login = await client.post(
            "/api/auth/login",
            json={"email": accounts["operator"].email, "password": accounts["operator"].password},
        )
        assert login.status_code == 401

    async def test_an_admin_can_end_all_sessions_of_a_user(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        admin = await sign_in(client, accounts["admin"])
        victim = await sign_in(client, accounts["viewer"])
        response = await client.delete(
            f"/api/admin/users/{accounts['viewer'].id}/sessions", headers=bearer(admin)
        )
        assert response.status_code == 204
        assert (await client.get("/api/auth/me", headers=bearer(victim))).status_code == 401
        again = await sign_in(client, accounts["viewer"])
        assert (await client.get("/api/auth/me", headers=bearer(again))).status_code == 200

    async def test_a_password_change_ends_other_sign_ins(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        admin = await sign_in(client, accounts["admin"])
        victim = await sign_in(client, accounts["viewer"])
        response = await client.patch(
            f"/api/admin/users/{accounts['viewer'].id}",
            json={"password": "新しいパスワード-0123456789"},
            headers=bearer(admin),
        )
        assert response.status_code == 200
        assert (await client.get("/api/auth/me", headers=bearer(victim))).status_code == 401

    async def test_an_expired_sign_in_is_refused_even_with_a_valid_access_token(
        self, make_settings: SettingsFactory, db: async_sessionmaker[AsyncSession]
    ) -> None:
        account = await create_account(db, "operator")
        app = create_app(make_settings(AUTH_SESSION_MAX_SECONDS=60, ACCESS_TOKEN_TTL_SECONDS=600))
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                issued = await sign_in(client, account)
                async with db.begin() as session:
                    await session.execute(
                        text("UPDATE auth_sessions SET expires_at = now() - interval '1 second'")
                    )
                assert (await client.get("/api/auth/me", headers=bearer(issued))).status_code == 401


class TestForgedTokensThroughTheApi:
    @pytest.mark.parametrize(
        "make",
        [
            lambda user, sid: tokens.issue_access_token(
                user_id=user,
                role="admin",
                session_id=sid,
                key=GUESSED_KEY,
                now=now(),
                ttl=ttl(),
            ),
            lambda user, sid: tokens.issue_access_token(
                user_id=user, role="admin", session_id=uuid.uuid4(), key=GUESSED_KEY, now=now(), ttl=ttl()
            ),
            lambda user, sid: "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.",
        ],
        ids=["wrong key", "unknown session", "alg none"],
    )
    async def test_forged_access_tokens_are_401(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], make: Any
    ) -> None:
        issued = await sign_in(client, accounts["admin"])
        sid = uuid.UUID(jwt.decode(issued["accessToken"], options={"verify_signature": False})["sid"])
        response = await client.get(
            "/api/admin/users", headers={"Authorization": f"Bearer {make(accounts['admin'].id, sid)}"}
        )
        assert response.status_code == 401


ROUTES = [
    ("GET", "/api/admin/users", None),
    ("POST", "/api/admin/users", {"email": "new@example.jp", "displayName": "新人", "password": "x" * 12}),
    ("PATCH", "/api/admin/users/{target}", {"displayName": "改名"}),
    ("DELETE", "/api/admin/users/{target}/sessions", None),
    ("GET", "/api/admin/audit-logs", None),
]
EXPECTED = {"anonymous": 401, "viewer": 403, "operator": 403}
ADMIN_OK = {"GET": 200, "POST": 201, "PATCH": 200, "DELETE": 204}


class TestAuthorizationMatrix:
    @pytest.mark.parametrize(("method", "path", "body"), ROUTES)
    async def test_admin_operations_are_for_admins_only(
        self,
        client: httpx.AsyncClient,
        accounts: dict[str, Account],
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        url = path.format(target=accounts["viewer"].id)
        headers_by_role: dict[str, dict[str, str]] = {"anonymous": {}} | {
            role: bearer(await sign_in(client, accounts[role])) for role in ("viewer", "operator", "admin")
        }
        results = {}
        for role, headers in headers_by_role.items():
            response = await client.request(method, url, json=body, headers=headers)
            results[role] = response.status_code
        assert results == {**EXPECTED, "admin": ADMIN_OK[method]}

    async def test_a_role_change_applies_to_tokens_already_issued(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        admin = await sign_in(client, accounts["admin"])
        operator = await sign_in(client, accounts["operator"])
        assert (await client.get("/api/admin/users", headers=bearer(operator))).status_code == 403
        promoted = await client.patch(
            f"/api/admin/users/{accounts['operator'].id}", json={"role": "admin"}, headers=bearer(admin)
        )
        assert promoted.status_code == 200
        assert (await client.get("/api/admin/users", headers=bearer(operator))).status_code == 200


class TestUserManagement:
    async def test_admin_creates_a_user_whose_password_is_stored_as_argon2id(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], db: async_sessionmaker[AsyncSession]
    ) -> None:
        admin = await sign_in(client, accounts["admin"])
        body = {
            "email": " New.Operator@Example.JP ",
            "displayName": "新しい担当者",
            "password": "十分に長いパスワードです",
        }
        response = await client.post("/api/admin/users", json=body, headers=bearer(admin))
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["email"] == "new.operator@example.jp"
        assert created["role"] == "operator"
        async with db() as session:
            stored = await session.get(User, uuid.UUID(created["id"]))
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$")
        duplicate = await client.post("/api/admin/users", json=body, headers=bearer(admin))
        assert duplicate.status_code == 409
        assert "user.created" in await actions(db)

    @pytest.mark.parametrize(
        "body",
        [
            {"email": "a@example.jp", "displayName": "短い", "password": "short"},
            {"email": "not-an-email", "displayName": "名前", "password": "long-enough-password"},
            {"email": "b@example.jp", "displayName": "", "password": "long-enough-password"},
            {
                "email": "c@example.jp",
                "displayName": "名前",
                "password": "long-enough-password",
                "role": "root",
            },
            {"email": "d@example.jp", "displayName": "名前", "password": "p" * 129},
        ],
    )
    async def test_invalid_users_are_422(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], body: dict[str, Any]
    ) -> None:
        admin = await sign_in(client, accounts["admin"])
        response = await client.post("/api/admin/users", json=body, headers=bearer(admin))
        assert response.status_code == 422
        assert body["password"] not in response.text

    @pytest.mark.parametrize("change", [{"isActive": False}, {"role": "operator"}])
    async def test_the_last_active_admin_cannot_be_removed(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], change: dict[str, Any]
    ) -> None:
        admin = await sign_in(client, accounts["admin"])
        response = await client.patch(
            f"/api/admin/users/{accounts['admin'].id}", json=change, headers=bearer(admin)
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "last_admin_required"

    async def test_unknown_users_are_404(
        self, client: httpx.AsyncClient, accounts: dict[str, Account]
    ) -> None:
        admin = await sign_in(client, accounts["admin"])
        response = await client.patch(
            f"/api/admin/users/{uuid.uuid4()}", json={"displayName": "x"}, headers=bearer(admin)
        )
        assert response.status_code == 404


async def test_concurrent_logins_of_many_users_all_succeed(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    created = [await create_account(db, "viewer") for _ in range(3)]
    results = await asyncio.gather(*(sign_in(client, account) for account in created))
    assert len({result["accessToken"] for result in results}) == 3


class TestItem13ConsoleSignOut:
    """Issue 16 item 13: logging out of an idle console (access token expired) and the idle expiry itself
    end the refresh token on the server."""

    async def test_item13_logout_with_an_expired_access_token_revokes_the_refresh_token(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], db: async_sessionmaker[AsyncSession]
    ) -> None:
        issued = await sign_in(client, accounts["operator"])
        assert issued["idleTimeoutSeconds"] == 900
        expired = tokens.issue_access_token(
            user_id=accounts["operator"].id,
            role="operator",
            session_id=uuid.uuid4(),
            key=GUESSED_KEY,
            now=now() - dt.timedelta(hours=1),
            ttl=dt.timedelta(minutes=15),
        )
        response = await client.post(
            "/api/auth/logout",
            json={"refreshToken": issued["refreshToken"]},
            headers={"Authorization": f"Bearer {expired}"},
        )
        assert response.status_code == 204
        refreshed = await client.post("/api/auth/refresh", json={"refreshToken": issued["refreshToken"]})
        assert refreshed.status_code == 401
        assert (await client.get("/api/auth/me", headers=bearer(issued))).status_code == 401
        assert "auth.logout" in await actions(db)

    async def test_item13_logout_names_a_sign_in_or_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.post("/api/auth/logout")).status_code == 401
        unknown = await client.post("/api/auth/logout", json={"refreshToken": "x" * 43})
        assert unknown.status_code == 401
        malformed = await client.post("/api/auth/logout", json={"refreshToken": "not a token"})
        assert malformed.status_code == 422

    async def test_item13_an_idle_sign_in_ends_on_the_server(
        self, client: httpx.AsyncClient, accounts: dict[str, Account], db: async_sessionmaker[AsyncSession]
    ) -> None:
        issued = await sign_in(client, accounts["operator"])
        async with db() as session:
            lifetime = await session.scalar(text("SELECT max(expires_at - created_at) FROM refresh_tokens"))
        assert lifetime is not None
        assert lifetime <= dt.timedelta(minutes=31)  # access TTL + idle timeout
        async with db.begin() as session:
            await session.execute(text("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'"))
        refreshed = await client.post("/api/auth/refresh", json={"refreshToken": issued["refreshToken"]})
        assert refreshed.status_code == 401
        assert (await client.get("/api/auth/me", headers=bearer(issued))).status_code == 401
        async with db() as session:
            reason = await session.scalar(text("SELECT revoke_reason FROM auth_sessions"))
        assert reason == "idle"


class TestWaitInWords:
    @pytest.mark.parametrize(
        ("seconds", "words"),
        [(0, "1秒"), (45, "45秒"), (60, "1分"), (61, "2分"), (157, "3分"), (900, "15分")],
    )
    def test_the_wait_is_said_in_seconds_or_whole_minutes(self, seconds: int, words: str) -> None:
        assert throttle.wait_in_words(seconds) == words
