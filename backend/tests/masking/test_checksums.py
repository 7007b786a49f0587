import random

import pytest

from mnp_chatbot.masking.checksums import luhn_valid, my_number_check_digit, my_number_valid


def _check_digit_by_the_ordinance(base: str) -> int:
    """Independent reading of 総務省令第85号第5条: P_n counted from the right, Q_n = n+1 (n<=6) or n-5."""
    total = 0
    for n in range(1, 12):
        p_n = int(base[11 - n])
        q_n = n + 1 if n <= 6 else n - 5
        total += p_n * q_n
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


class TestMyNumber:
    @pytest.mark.parametrize(
        ("number", "valid"),
        [
            ("123456789018", True),
            ("123456789019", False),
            ("000111111111", True),
            ("987654321093", True),
            ("314159265352", True),
            ("271828182840", True),
            ("271828182841", False),
            ("12345678901", False),
            ("1234567890180", False),
        ],
    )
    def test_accepts_only_numbers_whose_check_digit_matches(self, number: str, valid: bool) -> None:
        assert my_number_valid(number) is valid

    def test_check_digit_agrees_with_the_ordinance_formula_on_random_bases(self) -> None:
        rng = random.Random(20240524)
        bases = ["".join(rng.choice("0123456789") for _ in range(11)) for _ in range(3000)]
        mismatches = [b for b in bases if my_number_check_digit(b) != _check_digit_by_the_ordinance(b)]
        assert mismatches == []

    def test_about_one_random_12_digit_string_in_ten_passes(self) -> None:
        rng = random.Random(7)
        numbers = ["".join(rng.choice("0123456789") for _ in range(12)) for _ in range(5000)]
        rate = sum(my_number_valid(n) for n in numbers) / len(numbers)
        assert 0.08 < rate < 0.12


class TestLuhn:
    @pytest.mark.parametrize(
        "pan",
        [
            "4111111111111111",
            "5555555555554444",
            "3530111333300000",
            "378282246310005",
            "30569309025904",
            "6011111111111117",
            "4222222222222",
            "4917610000000000003",
        ],
    )
    def test_accepts_published_test_card_numbers(self, pan: str) -> None:
        assert luhn_valid(pan)

    @pytest.mark.parametrize(
        "pan", ["4111111111111112", "5555555555554440", "3530111333300001", "378282246310006"]
    )
    def test_rejects_a_number_with_its_last_digit_changed(self, pan: str) -> None:
        assert not luhn_valid(pan)
