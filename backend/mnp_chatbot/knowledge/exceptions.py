from collections.abc import Sequence
from typing import Any

from mnp_chatbot.core.errors import Conflict, NotFound, UnsupportedMediaType, ValidationFailed, error_body
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


class FaqSlugTaken(Conflict):
    code = "faq_slug_taken"
    default_message = "この slug はほかのFAQで使われています。"


class UnsupportedKnowledgeFormat(UnsupportedMediaType):
    default_message = (
        "形式は format=yaml|json|csv で指定するか、Content-Type を application/yaml・application/json・"
        "text/csv にしてください。"
    )


class FaqReviewNotFound(NotFound):
    code = "faq_review_not_found"
    default_message = "指定された承認依頼は見つかりません。"


class FaqReviewDecided(Conflict):
    code = "faq_review_decided"
    default_message = "この承認依頼はすでに処理されています。"


class FaqReviewStale(Conflict):
    code = "faq_review_stale"
    default_message = "承認依頼のあとでFAQが変更されました。最新の内容で依頼し直してください。"
