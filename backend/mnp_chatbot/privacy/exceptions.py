from mnp_chatbot.core.errors import Forbidden, NotFound


class DataRightsDisabled(Forbidden):
    code = "data_rights_disabled"
    default_message = "データの書き出し・削除はこの環境では提供していません。"


class UnknownSession(NotFound):
    code = "session_not_found"
    default_message = "指定されたセッションは見つかりません。"
