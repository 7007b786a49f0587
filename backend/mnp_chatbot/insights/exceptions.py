from mnp_chatbot.core.errors import NotFound, ValidationFailed


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    default_message = "指定された会話は見つかりません。"


class GapNotFound(NotFound):
    code = "gap_not_found"
    default_message = "指定された質問のグループは、この期間には見つかりません。"


class DateRangeInvalid(ValidationFailed):
    default_message = "期間の指定が正しくありません（from は to 以前、期間は366日以内にしてください）。"
