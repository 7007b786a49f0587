from mnp_chatbot.core.errors import NotFound


class SessionNotFound(NotFound):
    code = "session_not_found"
    default_message = "指定されたセッションは見つかりません。新しい会話を始めてください。"


class SessionExpired(NotFound):
    """The session was idle for longer than SESSION_IDLE_TIMEOUT_HOURS; its token no longer opens it."""

    code = "session_expired"
    default_message = "しばらくやりとりがなかったため、この会話は終了しました。新しい会話を始めてください。"


class MessageNotFound(NotFound):
    code = "message_not_found"
    default_message = "指定されたメッセージは見つかりません。"
