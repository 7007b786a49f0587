"""Authenticated encryption (AES-256-GCM) of the personal data the product keeps, with key ids for rotation.

ENCRYPTION_KEY is either a keyring, `kid:base64key[,kid:base64key…]` (32-byte keys; the first encrypts, all
decrypt), or a passphrase from which one key is derived with HKDF-SHA256. A sealed value is

    b"\\x01" | len(kid) | kid | 12-byte random nonce | ciphertext with its 16-byte tag

and the header (version and kid) is authenticated as associated data together with the caller's `context`,
so a value cannot be moved to another column or have its key id swapped without failing to open.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
KID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
HKDF_SALT = b"mnp-chatbot/encryption-key/v1"
HKDF_INFO = b"aes-256-gcm data key"


class EncryptionError(Exception):
    """ENCRYPTION_KEY cannot be used."""


class DecryptionFailed(Exception):
    """A sealed value is malformed, was tampered with, or names a key that is not configured."""


@dataclass(frozen=True, slots=True)
class Keyring:
    primary: str
    keys: dict[str, bytes]


def derive_key(passphrase: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=HKDF_SALT, info=HKDF_INFO)
    return hkdf.derive(passphrase.encode())


def passphrase_kid(key: bytes) -> str:
    """A stable id for a derived key that reveals nothing about it."""
    return "p" + hmac.new(key, b"key-id", hashlib.sha256).hexdigest()[:8]


def _keyring_entry(entry: str) -> tuple[str, bytes] | None:
    kid, sep, encoded = entry.strip().partition(":")
    if not sep or not KID_PATTERN.match(kid):
        return None
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return (kid, key) if len(key) == KEY_BYTES else None


def parse_keyring(value: str) -> Keyring:
    """A keyring from `kid:base64key,...`, or one HKDF-derived key when the value is a passphrase."""
    if not value.strip():
        raise EncryptionError("ENCRYPTION_KEY is empty")
    entries = [_keyring_entry(entry) for entry in value.split(",")]
    if all(entry is not None for entry in entries):
        pairs = [entry for entry in entries if entry is not None]
        keys = dict(pairs)
        if len(keys) != len(pairs):
            raise EncryptionError("ENCRYPTION_KEY names the same key id twice")
        return Keyring(primary=pairs[0][0], keys=keys)
    key = derive_key(value)
    return Keyring(primary=passphrase_kid(key), keys={passphrase_kid(key): key})


def new_key_entry(kid: str) -> str:
    """A fresh `kid:base64key` entry to put first in ENCRYPTION_KEY."""
    if not KID_PATTERN.match(kid):
        raise EncryptionError("a key id is 1–32 letters, digits, '.', '_' or '-'")
    return f"{kid}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


class Encryptor:
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._ciphers = {kid: AESGCM(key) for kid, key in keyring.keys.items()}

    @classmethod
    def from_secret(cls, value: str) -> "Encryptor":
        return cls(parse_keyring(value))

    @property
    def primary_kid(self) -> str:
        return self.keyring.primary

    def encrypt(self, plaintext: bytes, *, context: bytes = b"") -> bytes:
        kid = self.keyring.primary.encode()
        header = bytes([VERSION, len(kid)]) + kid
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.keyring.primary].encrypt(nonce, plaintext, header + context)
        return header + nonce + sealed

    def encrypt_text(self, plaintext: str, *, context: bytes = b"") -> bytes:
        return self.encrypt(plaintext.encode(), context=context)

    def decrypt(self, blob: bytes, *, context: bytes = b"") -> bytes:
        kid, header_end = _header(blob)
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise DecryptionFailed(f"no key with id {kid!r} is configured")
        nonce = blob[header_end : header_end + NONCE_BYTES]
        try:
            return cipher.decrypt(nonce, blob[header_end + NONCE_BYTES :], blob[:header_end] + context)
        except InvalidTag as error:
            raise DecryptionFailed("the value was altered or sealed for another context") from error

    def decrypt_text(self, blob: bytes, *, context: bytes = b"") -> str:
        return self.decrypt(blob, context=context).decode()

    def needs_rotation(self, blob: bytes) -> bool:
        return key_id(blob) != self.keyring.primary

    def rotate(self, blob: bytes, *, context: bytes = b"") -> bytes:
        """The value sealed again under the primary key (unchanged when it already is)."""
        if not self.needs_rotation(blob):
            return blob
        return self.encrypt(self.decrypt(blob, context=context), context=context)


def _header(blob: bytes) -> tuple[str, int]:
    if len(blob) < 2 or blob[0] != VERSION:
        raise DecryptionFailed("not a sealed value of a known version")
    end = 2 + blob[1]
    if len(blob) < end + NONCE_BYTES + 16:
        raise DecryptionFailed("the sealed value is truncated")
    try:
        return blob[2:end].decode("ascii"), end
    except UnicodeDecodeError as error:
        raise DecryptionFailed("the key id is not ASCII") from error


def key_id(blob: bytes) -> str:
    return _header(blob)[0]
