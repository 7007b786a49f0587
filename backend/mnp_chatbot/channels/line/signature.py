"""LINE's webhook signature: base64 of HMAC-SHA256 over the raw request body, keyed by the channel secret
(pure). Verified on the exact bytes received, before anything is parsed."""

import base64
import binascii
import hashlib
import hmac

MAX_SIGNATURE_CHARS = 128


def sign(body: bytes, secret: bytes) -> str:
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


def is_valid_signature(body: bytes, signature: str, secret: bytes) -> bool:
    """Whether `signature` is the body's signature; compared in constant time, never with `==`."""
    if not signature or len(signature) > MAX_SIGNATURE_CHARS:
        return False
    try:
        given = base64.b64decode(signature.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return False
    return hmac.compare_digest(given, hmac.new(secret, body, hashlib.sha256).digest())
