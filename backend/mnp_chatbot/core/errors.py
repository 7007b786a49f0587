"""One error hierarchy; one handler renders every 4xx/5xx as {"error": {"code", "message"}}.

AppError (500 internal_error)
├── BadRequest (400 bad_request)
│   ├── InvalidJson (400 invalid_json)
│   └── ValidationFailed (422 validation_error)
├── Unauthorized (401 unauthorized)
├── Forbidden (403 forbidden)
├── NotFound (404 not_found)
├── Conflict (409 conflict)
├── PayloadTooLarge (413 payload_too_large)
├── UnsupportedMediaType (415 unsupported_media_type)
├── RateLimited (429 rate_limited)
└── UpstreamUnavailable (503 upstream_unavailable)
"""

from typing import Any, ClassVar


class AppError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "サーバー内部でエラーが発生しました。"

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None) -> None:
        self.message = message or self.default_message
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message)


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"
    default_message = "リクエストの内容が正しくありません。"


class InvalidJson(BadRequest):
    code = "invalid_json"
    default_message = "リクエスト本文が正しいJSONではありません。"


class ValidationFailed(BadRequest):
    status_code = 422
    code = "validation_error"
    default_message = "入力内容に誤りがあります。"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"
    default_message = "認証が必要です。"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    default_message = "この操作は許可されていません。"


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    default_message = "見つかりませんでした。"


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    default_message = "現在の状態ではこの操作を行えません。"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    default_message = "リクエスト本文が大きすぎます。"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"
    default_message = "Content-Type は application/json を指定してください。"


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"
    default_message = "リクエストが多すぎます。しばらくしてからお試しください。"


class UpstreamUnavailable(AppError):
    status_code = 503
    code = "upstream_unavailable"
    default_message = "外部サービスに接続できません。"
