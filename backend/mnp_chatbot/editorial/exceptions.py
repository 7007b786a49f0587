from mnp_chatbot.core.errors import Conflict, NotFound, UnsupportedMediaType


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
