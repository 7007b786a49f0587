from mnp_chatbot.core.errors import Conflict, Forbidden, NotFound, Unauthorized


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    default_message = "メールアドレスまたはパスワードが正しくありません。"


class InvalidRefreshToken(Unauthorized):
    code = "invalid_refresh_token"
    default_message = "ログインの有効期限が切れました。もう一度ログインしてください。"


class InsufficientRole(Forbidden):
    code = "insufficient_role"
    default_message = "この操作を行う権限がありません。"


class UserNotFound(NotFound):
    code = "user_not_found"
    default_message = "指定されたユーザーは見つかりません。"


class EmailAlreadyRegistered(Conflict):
    code = "email_already_registered"
    default_message = "このメールアドレスは既に登録されています。"


class LastAdminRequired(Conflict):
    code = "last_admin_required"
    default_message = "有効な管理者が一人もいなくなるため、この変更はできません。"
