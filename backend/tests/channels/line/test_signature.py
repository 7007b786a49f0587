import base64
import hashlib
import hmac

import pytest

from mnp_chatbot.channels.line.signature import is_valid_signature, sign

SECRET = b"channel-secret"
BODY = '{"destination":"U0","events":[{"message":{"text":"テスト 🎌 \\u30c6"}}]}'.encode()


def reference(body: bytes, secret: bytes) -> str:
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


class TestIsValidSignature:
    def test_accepts_the_signature_of_the_exact_bytes(self) -> None:
        assert is_valid_signature(BODY, reference(BODY, SECRET), SECRET)
        assert sign(BODY, SECRET) == reference(BODY, SECRET)

    @pytest.mark.parametrize(
        ("body", "signature"),
        [
            (BODY + b" ", reference(BODY, SECRET)),
            (BODY, reference(BODY, b"other-secret")),
            (BODY, reference(BODY, SECRET)[:-4]),
            (BODY, "not base64 !!"),
            (BODY, ""),
            (BODY, "ｓｉｇｎ"),
            (BODY, "A" * 500),
            (BODY, base64.b64encode(hashlib.sha256(BODY).digest()).decode()),
        ],
        ids=[
            "body-changed",
            "wrong-secret",
            "truncated",
            "not-base64",
            "empty",
            "non-ascii",
            "huge",
            "unkeyed",
        ],
    )
    def test_refuses(self, body: bytes, signature: str) -> None:
        assert not is_valid_signature(body, signature, SECRET)
