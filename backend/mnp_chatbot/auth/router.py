import uuid
from typing import Any

from fastapi import APIRouter, Response

from mnp_chatbot.auth.dependencies import (
    AdminUser,
    AuthServiceDep,
    BearerDep,
    ClientAddress,
    CurrentUser,
    UserServiceDep,
)
from mnp_chatbot.auth.models import User
from mnp_chatbot.auth.schemas import (
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    TokenPair,
    UserCreate,
    UserList,
    UserRead,
    UserUpdate,
)
from mnp_chatbot.auth.service import IssuedTokens
from mnp_chatbot.core.errors import error_body

router = APIRouter(prefix="/api", tags=["auth"])
LOGOUT_HEADERS = {"Clear-Site-Data": '"cache", "storage"'}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    example = {"application/json": {"example": error_body("code", "message")}}
    return {status: {"description": "Error", "content": example} for status in statuses}


def token_pair(issued: IssuedTokens) -> TokenPair:
    return TokenPair(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
        idle_timeout_seconds=issued.idle_timeout,
        user=UserRead.model_validate(issued.user),
    )


@router.post(
    "/auth/login", response_model=TokenPair, response_model_by_alias=True, responses=errors(401, 422, 429)
)
async def login(body: LoginRequest, auth: AuthServiceDep, client: ClientAddress) -> TokenPair:
    return token_pair(await auth.login(body.email, body.password, client=client))


@router.post(
    "/auth/refresh", response_model=TokenPair, response_model_by_alias=True, responses=errors(401, 422, 429)
)
async def refresh(body: RefreshRequest, auth: AuthServiceDep) -> TokenPair:
    return token_pair(await auth.refresh(body.refresh_token))


@router.post("/auth/logout", status_code=204, responses=errors(401, 422, 429))
async def logout(credentials: BearerDep, auth: AuthServiceDep, body: LogoutRequest | None = None) -> Response:
    access = credentials.credentials if credentials else None
    await auth.logout(access_token=access, refresh_token=body.refresh_token if body else None)
    return Response(status_code=204, headers=LOGOUT_HEADERS)


@router.get("/auth/me", response_model=UserRead, response_model_by_alias=True, responses=errors(401, 429))
async def me(user: CurrentUser) -> User:
    return user


@router.get(
    "/admin/users", response_model=UserList, response_model_by_alias=True, responses=errors(401, 403, 429)
)
async def list_users(_: AdminUser, users: UserServiceDep) -> dict[str, object]:
    return {"items": await users.list_users()}


@router.post(
    "/admin/users",
    response_model=UserRead,
    response_model_by_alias=True,
    status_code=201,
    responses=errors(401, 403, 409, 422, 429),
)
async def create_user(body: UserCreate, admin: AdminUser, users: UserServiceDep) -> User:
    return await users.create(admin, body)


@router.patch(
    "/admin/users/{user_id}",
    response_model=UserRead,
    response_model_by_alias=True,
    responses=errors(401, 403, 404, 409, 422, 429),
)
async def update_user(user_id: uuid.UUID, body: UserUpdate, admin: AdminUser, users: UserServiceDep) -> User:
    return await users.update(admin, user_id, body)


@router.delete("/admin/users/{user_id}/sessions", status_code=204, responses=errors(401, 403, 404, 422, 429))
async def revoke_sessions(user_id: uuid.UUID, admin: AdminUser, users: UserServiceDep) -> None:
    await users.revoke_sessions(admin, user_id)
