"""AES-256-GCM sealing of kept personal data: keyring parsing, tamper detection, rotation, and the
`reencrypt` path over the database (security.md test 20)."""

import base64
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.chat.models import Conversation
from mnp_chatbot.handoff.models import Handoff
from mnp_chatbot.privacy import encryption
from mnp_chatbot.privacy.encryption import DecryptionFailed, EncryptionError, Encryptor
from mnp_chatbot.privacy.service import HANDOFF_CONTACT, reencrypt_contacts

CONTACT = "090-1234-5678 山田太郎 平日18時以降"


def key_entry(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


K1 = key_entry("k1")
K2 = key_entry("k2")


class TestKeyring:
    def test_a_keyring_encrypts_with_its_first_key(self) -> None:
        ring = encryption.parse_keyring(f"{K2},{K1}")
        assert ring.primary == "k2"
        assert set(ring.keys) == {"k1", "k2"}

    @pytest.mark.parametrize(
        "passphrase",
        ["correct horse battery staple", "日本語のパスフレーズ", "k1:not-base64!", "k1:" + "QUFB" * 4],
    )
    def test_anything_else_is_a_passphrase_for_hkdf(self, passphrase: str) -> None:
        ring = encryption.parse_keyring(passphrase)
        assert len(ring.keys) == 1
        assert ring.primary.startswith("p")
        assert ring.keys[ring.primary] == encryption.derive_key(passphrase)
        assert encryption.parse_keyring(passphrase).primary == ring.primary

    @pytest.mark.parametrize("value", ["", "   ", f"{K1},{K1}"])
    def test_unusable_values_are_refused(self, value: str) -> None:
        with pytest.raises(EncryptionError):
            encryption.parse_keyring(value)

    def test_new_key_entries_parse_back(self) -> None:
        entry = encryption.new_key_entry("2026-11")
        assert encryption.parse_keyring(entry).primary == "2026-11"
        with pytest.raises(EncryptionError):
            encryption.new_key_entry("bad id!")


class TestSealing:
    def test_round_trip_with_a_fresh_nonce_every_time(self) -> None:
        sealer = Encryptor.from_secret(K1)
        first = sealer.encrypt_text(CONTACT, context=HANDOFF_CONTACT)
        second = sealer.encrypt_text(CONTACT, context=HANDOFF_CONTACT)
        assert first != second
        assert CONTACT.encode() not in first
        assert b"1234" not in first[2 + 2 :]
        assert sealer.decrypt_text(first, context=HANDOFF_CONTACT) == CONTACT
        assert encryption.key_id(first) == "k1"

    @pytest.mark.parametrize("position", [0, 1, 2, 4, 10, 20, -17, -1])
    def test_any_flipped_byte_is_detected(self, position: int) -> None:
        sealer = Encryptor.from_secret(K1)
        blob = bytearray(sealer.encrypt_text(CONTACT))
        blob[position] ^= 0x01
        with pytest.raises(DecryptionFailed):
            sealer.decrypt(bytes(blob))

    @pytest.mark.parametrize("blob", [b"", b"\x01", b"\x01\x02k1", b"\x02\x02k1" + b"\x00" * 40])
    def test_malformed_values_are_refused(self, blob: bytes) -> None:
        with pytest.raises(DecryptionFailed):
            Encryptor.from_secret(K1).decrypt(blob)

    def test_a_value_does_not_open_in_another_context(self) -> None:
        sealer = Encryptor.from_secret(K1)
        blob = sealer.encrypt_text(CONTACT, context=b"handoffs.contact_ciphertext")
        with pytest.raises(DecryptionFailed):
            sealer.decrypt(blob, context=b"users.email")

    def test_a_removed_key_cannot_open_old_values(self) -> None:
        blob = Encryptor.from_secret(K1).encrypt_text(CONTACT)
        with pytest.raises(DecryptionFailed, match="k1"):
            Encryptor.from_secret(K2).decrypt(blob)

    def test_rotation_reseals_under_the_primary_and_old_values_still_open(self) -> None:
        old = Encryptor.from_secret(K1).encrypt_text(CONTACT)
        rotated_ring = Encryptor.from_secret(f"{K2},{K1}")
        assert rotated_ring.decrypt_text(old) == CONTACT
        assert rotated_ring.needs_rotation(old)
        new = rotated_ring.rotate(old)
        assert encryption.key_id(new) == "k2"
        assert rotated_ring.rotate(new) is new
        assert Encryptor.from_secret(K2).decrypt_text(new) == CONTACT


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def add_handoffs(
    db: async_sessionmaker[AsyncSession], sealer: Encryptor, count: int
) -> list[uuid.UUID]:
    async with db.begin() as session:
        conversation = Conversation(token_hash=uuid.uuid4().hex, channel="web", status="queued", slots={})
        session.add(conversation)
        await session.flush()
        handoffs = [
            Handoff(
                session_id=conversation.id,
                reason="requested",
                status="missed",  # call-back requests left outside hours (not open, so many per conversation)
                contact_ciphertext=sealer.encrypt_text(f"{CONTACT} #{i}", context=HANDOFF_CONTACT),
            )
            for i in range(count)
        ]
        session.add_all(handoffs)
        await session.flush()
        return [handoff.id for handoff in handoffs]


class TestReencryption:
    async def test_reencrypt_rotates_every_row_in_batches_and_leaves_no_plaintext(
        self, db: async_sessionmaker[AsyncSession]
    ) -> None:
        await add_handoffs(db, Encryptor.from_secret(K1), 7)
        rotated_ring = Encryptor.from_secret(f"{K2},{K1}")
        report = await reencrypt_contacts(db, rotated_ring, batch_size=3)
        assert (report.scanned, report.rotated, report.failed) == (7, 7, 0)
        async with db() as session:
            blobs = (await session.scalars(select(Handoff.contact_ciphertext))).all()
            dumped = await session.scalar(
                text("SELECT string_agg(encode(contact_ciphertext, 'escape'), '') FROM handoffs")
            )
        assert {encryption.key_id(blob) for blob in blobs if blob} == {"k2"}
        assert all(
            Encryptor.from_secret(K2).decrypt_text(b, context=HANDOFF_CONTACT).startswith(CONTACT)
            for b in blobs
            if b
        )
        assert "1234" not in (dumped or "")
        again = await reencrypt_contacts(db, rotated_ring, batch_size=3)
        assert (again.scanned, again.rotated) == (7, 0)

    async def test_rows_that_do_not_open_are_counted_and_left_alone(
        self, db: async_sessionmaker[AsyncSession]
    ) -> None:
        await add_handoffs(db, Encryptor.from_secret(K1), 2)
        foreign = Encryptor.from_secret(key_entry("k9"))
        await add_handoffs(db, foreign, 1)
        report = await reencrypt_contacts(db, Encryptor.from_secret(f"{K2},{K1}"), batch_size=10)
        assert (report.scanned, report.rotated, report.failed) == (3, 2, 1)
