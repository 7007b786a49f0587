from collections.abc import Sequence
from typing import Any

from mnp_chatbot.core.errors import ValidationFailed, error_body
from mnp_chatbot.knowledge.formats import Problem


class KnowledgeInvalid(ValidationFailed):
    """A FAQ entry or carrier that breaks the knowledge file rules; names the field(s) at fault."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else None
        where = f"{first.field}: " if first and first.field else ""
        detail = f"（{where}{first.message}）" if first else ""
        super().__init__(f"入力内容に誤りがあります{detail}。")

    def body(self) -> dict[str, Any]:
        body = error_body(self.code, self.message)
        body["error"]["field"] = self.problems[0].field if self.problems else None
        body["error"]["problems"] = [
            {"row": p.row, "key": p.key, "field": p.field, "message": p.message} for p in self.problems
        ]
        return body
