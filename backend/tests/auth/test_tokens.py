"""JWT access tokens (pure): the forgery matrix of security.md test 37, and refresh-token hashing."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from mnp_chatbot.auth import tokens

SECRET = b"unit-test-jwt-secret-with-enough-entropy"
KEY = tokens.signing_key(SECRET)
NOW = dt.datetime.now(dt.UTC)
USER = uuid.uuid4()
SESSION = uuid.uuid4()


@pytest.fixture(autouse=True)
def fresh_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's "now" is its own start: a long suite can run this module well after it was imported."""
    monkeypatch.setitem(globals(), "NOW", dt.datetime.now(dt.UTC))


def issue(
    now: dt.datetime | None = None, ttl: dt.timedelta = dt.timedelta(minutes=15), key: bytes = KEY
) -> str:
    return tokens.issue_access_token(
        user_id=USER, role="admin", session_id=SESSION, key=key, now=now or NOW, ttl=ttl
    )


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": tokens.ISSUER,
        "aud": tokens.AUDIENCE,
        "sub": str(USER),
        "typ": "access",
        "role": "admin",
        "sid": str(SESSION),
        "jti": "j1",
        "iat": NOW,
        "nbf": NOW,
        "exp": NOW + dt.timedelta(minutes=5),
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def signed(payload: dict[str, Any], headers: dict[str, Any] | None = None, key: bytes = KEY) -> str:
    return jwt.encode(payload, key, algorithm="HS256", headers=headers)


def alg_none() -> str:
    header = b64({"alg": "none", "typ": "JWT"})
    body = b64({**claims(), "iat": int(NOW.timestamp()), "nbf": int(NOW.timestamp()), "exp": 2**40})
    return f"{header}.{body}."


def tampered_payload() -> str:
    header, _, signature = issue().split(".")
    forged = b64({**claims(role="admin", sub=str(uuid.uuid4())), "iat": 1, "nbf": 1, "exp": 2**40})
    return f"{header}.{forged}.{signature}"


def key_confusion() -> str:
    """HS256 signed with a public key's PEM, the classic RS256→HS256 confusion."""
    public_pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    header = b64({"alg": "HS256", "typ": "JWT"})
    body = b64({**claims(), "iat": int(NOW.timestamp()), "nbf": int(NOW.timestamp()), "exp": 2**40})
    signature = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


FORGERIES: dict[str, Callable[[], str]] = {
    "alg none": alg_none,
    "HS256 with a public key (key confusion)": key_confusion,
    "unknown kid": lambda: signed(claims(), {"kid": "other-key"}),
    "jku header": lambda: signed(claims(), {"jku": "https://attacker.example/jwks.json"}),
    "x5u header": lambda: signed(claims(), {"x5u": "https://attacker.example/cert.pem"}),
    "embedded jwk header": lambda: signed(claims(), {"jwk": {"kty": "oct", "k": "AAAA"}}),
    "modified payload": tampered_payload,
    "wrong secret": lambda: issue(key=tokens.signing_key(b"another secret entirely, 32 bytes+")),
    "expired beyond the leeway": lambda: issue(now=NOW - dt.timedelta(hours=1), ttl=dt.timedelta(minutes=15)),
    "nbf in the future": lambda: signed(claims(nbf=NOW + dt.timedelta(minutes=10))),
    "no exp": lambda: signed(claims(exp=None)),
    "no jti": lambda: signed(claims(jti=None)),
    "wrong aud": lambda: signed(claims(aud="another-service")),
    "wrong iss": lambda: signed(claims(iss="https://attacker.example")),
    "not an access token (typ)": lambda: signed(claims(typ="refresh")),
    "refresh token used as access token": tokens.new_refresh_token,
    "garbage": lambda: "not.a.jwt",
    "empty": lambda: "",
    "HS512 instead of HS256": lambda: jwt.encode(claims(), KEY * 2, algorithm="HS512"),
    "sub not a uuid": lambda: signed(claims(sub="admin")),
}


class TestAccessTokens:
    def test_a_fresh_token_decodes_to_its_claims(self) -> None:
        decoded = tokens.decode_access_token(issue(), key=KEY)
        assert decoded.user_id == USER
        assert decoded.session_id == SESSION
        assert decoded.role == "admin"
        assert decoded.expires_at > NOW

    def test_each_token_has_its_own_id(self) -> None:
        first = tokens.decode_access_token(issue(), key=KEY)
        second = tokens.decode_access_token(issue(), key=KEY)
        assert first.token_id != second.token_id

    @pytest.mark.parametrize("make", FORGERIES.values(), ids=FORGERIES.keys())
    def test_forged_or_invalid_tokens_are_refused(self, make: Callable[[], str]) -> None:
        with pytest.raises(tokens.InvalidToken):
            tokens.decode_access_token(make(), key=KEY)

    def test_the_signing_key_is_derived_and_not_the_raw_secret(self) -> None:
        assert tokens.signing_key(SECRET) != SECRET
        assert len(tokens.signing_key(b"short")) == 32
        with pytest.raises(tokens.InvalidToken):
            tokens.decode_access_token(signed(claims(), key=SECRET), key=KEY)


class TestRefreshTokens:
    def test_refresh_tokens_are_random_and_stored_only_as_a_hash(self) -> None:
        values = {tokens.new_refresh_token() for _ in range(100)}
        assert len(values) == 100
        token = values.pop()
        digest = tokens.refresh_token_hash(token)
        assert len(digest) == 64
        assert token not in digest
        assert digest == tokens.refresh_token_hash(token)
