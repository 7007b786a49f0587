"""Errors of the navigator; each names the request field it is about.

    ValidationFailed (core, 422)
    └── InvalidSituation (422 invalid_situation, .field)
        └── UnknownBrand (422 unknown_brand, .field is "from" or "to")

`field` uses the names of the `POST /api/navigator/plan` body (`from`, `to`, `channel`, `sim`, `device`,
`sameHolder`, `reservationIssuedOn`), and the message starts with it, so the one error handler reports it.
"""

from mnp_chatbot.core.errors import ValidationFailed


class InvalidSituation(ValidationFailed):
    """The customer's situation is contradictory or impossible; `field` names the culprit."""

    code = "invalid_situation"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class UnknownBrand(InvalidSituation):
    code = "unknown_brand"

    def __init__(self, field: str, text: str) -> None:
        super().__init__(field, f"「{text}」という会社・ブランドは見つかりませんでした。")
        self.text = text
