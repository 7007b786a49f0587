"""The one place where exceptions become HTTP responses in the stable error shape."""

from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mnp_chatbot.core.errors import AppError, error_body
from mnp_chatbot.core.field_errors import location_of, message_of
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.unavailable import UNAVAILABLE, is_unavailable, unavailable_response

log = get_logger(__name__)

_HTTP_CODES = {
    400: ("bad_request", "リクエストの内容が正しくありません。"),
    401: ("unauthorized", "認証が必要です。"),
    403: ("forbidden", "この操作は許可されていません。"),
    404: ("not_found", "指定されたURLは見つかりません。"),
    405: ("method_not_allowed", "このURLではそのメソッドは使えません。"),
    413: ("payload_too_large", "リクエスト本文が大きすぎます。"),
    415: ("unsupported_media_type", "Content-Type は application/json を指定してください。"),
}


def _describe(errors: list[Any]) -> tuple[str, str]:
    if any(error.get("type") == "json_invalid" for error in errors):
        return "invalid_json", "リクエスト本文が正しいJSONではありません。"
    first = errors[0] if errors else {}
    return "validation_error", f"入力内容に誤りがあります（{_field(first) or 'body'}: {message_of(first)}）。"


def _field(error: Any) -> str:
    """The dotted path of the field at fault, without the leading 「body」 (`fees.0.amount_yen`)."""
    return ".".join(str(part) for part in location_of(error, camel=True) if part != "body")


async def app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """The first problem in the message; every problem, each with its field, in `problems` (a form shows
    each next to its field)."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    code, message = _describe(errors)
    if code == "invalid_json":
        return JSONResponse(error_body(code, message), status_code=400)
    body = error_body(code, message)
    problems = [{"field": _field(error) or None, "message": message_of(error)} for error in errors]
    body["error"]["field"] = problems[0]["field"] if problems else None
    body["error"]["problems"] = problems
    return JSONResponse(body, status_code=422)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


async def dependency_error(request: Request, exc: Exception) -> JSONResponse:
    """A database or Redis failure (core/unavailable.py): 503, handled here rather than as a 500."""
    if is_unavailable(exc):
        return unavailable_response(exc)
    raise exc


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    if is_unavailable(exc):
        return unavailable_response(exc)
    log.exception("http.unhandled_error", error=type(exc).__name__)
    return JSONResponse(error_body("internal_error", "サーバー内部でエラーが発生しました。"), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    for unavailable in (*UNAVAILABLE, sqlalchemy.exc.DBAPIError, OSError):
        app.add_exception_handler(unavailable, dependency_error)
    app.add_exception_handler(Exception, unexpected_error)
