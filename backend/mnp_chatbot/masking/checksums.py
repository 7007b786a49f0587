"""Check digits of the numbers the masker recognises: Luhn (card numbers) and My Number (個人番号)."""

_MY_NUMBER_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def my_number_check_digit(base: str) -> int:
    """The check digit of an 11-digit My Number base (施行令第8条 / 総務省令第85号第5条)."""
    remainder = sum(int(d) * w for d, w in zip(base, _MY_NUMBER_WEIGHTS, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def my_number_valid(digits: str) -> bool:
    return len(digits) == 12 and my_number_check_digit(digits[:11]) == int(digits[11])
