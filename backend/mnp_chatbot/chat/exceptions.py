from mnp_chatbot.core.errors import NotFound


class SessionNotFound(NotFound):
    code = "session_not_found"
    default_message = "指定されたセッションは見つかりません。新しい会話を始めてください。"


class MessageNotFound(NotFound):
    code = "message_not_found"
    default_message = "指定されたメッセージは見つかりません。"
