from enum import StrEnum
from typing import TypeAlias


class PiiKind(StrEnum):
    PHONE = "phone"
    MNP_RESERVATION = "mnp_reservation"
    MY_NUMBER = "my_number"
    CARD = "card"
    EMAIL = "email"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"
    BIRTH_DATE = "birth_date"
    NAME = "name"


PLACEHOLDERS: dict[PiiKind, str] = {
    PiiKind.PHONE: "[電話番号]",
    PiiKind.MNP_RESERVATION: "[予約番号]",
    PiiKind.MY_NUMBER: "[マイナンバー]",
    PiiKind.CARD: "[カード番号]",
    PiiKind.EMAIL: "[メール]",
    PiiKind.POSTAL_CODE: "[郵便番号]",
    PiiKind.ADDRESS: "[住所]",
    PiiKind.BIRTH_DATE: "[生年月日]",
    PiiKind.NAME: "[氏名]",
}

# A detected span of the original text: start, end (exclusive) and kind.
Found: TypeAlias = tuple[int, int, PiiKind]
