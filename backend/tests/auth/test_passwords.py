"""argon2id password hashing."""

import pytest

from mnp_chatbot.auth import passwords


@pytest.fixture(scope="module")
def stored() -> str:
    return passwords.hash_password("正しいパスワード-correct horse")


class TestPasswords:
    def test_hashes_are_argon2id_and_salted(self, stored: str) -> None:
        again = passwords.hash_password("正しいパスワード-correct horse")
        assert passwords.is_argon2id(stored)
        assert "m=65536" in stored
        assert stored != again
        assert "correct horse" not in stored

    @pytest.mark.parametrize(
        ("attempt", "expected"),
        [
            ("正しいパスワード-correct horse", True),
            ("正しいパスワード-correct horse ", False),
            ("正しいパスワード-Correct horse", False),
            ("", False),
            ("ただしいパスワード-correct horse", False),
        ],
    )
    def test_verifies_only_the_exact_password(self, stored: str, attempt: str, expected: bool) -> None:
        assert passwords.verify_password(stored, attempt) is expected

    @pytest.mark.parametrize("broken", ["", "plain-text-password", "$argon2id$v=19$garbage", "$2b$12$abcdef"])
    def test_a_broken_or_foreign_hash_never_verifies(self, broken: str) -> None:
        assert passwords.verify_password(broken, "plain-text-password") is False
        assert passwords.needs_rehash(broken) is True

    def test_current_hashes_need_no_rehash(self, stored: str) -> None:
        assert passwords.needs_rehash(stored) is False
