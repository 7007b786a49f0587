"""Bodies of the sign-in and user-management API."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from mnp_chatbot.auth.models import UserRole
from mnp_chatbot.auth.passwords import MAX_LENGTH, MIN_LENGTH
from mnp_chatbot.core.schemas import Schema
from mnp_chatbot.core.validation import SingleLine as Storable

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
    ),
    Storable,
]
NewPassword = Annotated[str, StringConstraints(min_length=MIN_LENGTH, max_length=MAX_LENGTH), Storable]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Storable]
RoleName = Literal["admin", "operator", "viewer"]


class LoginRequest(Schema):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254), Storable]
    password: Annotated[str, StringConstraints(min_length=1, max_length=MAX_LENGTH), Storable]


RefreshTokenText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,128}$")]


class RefreshRequest(Schema):
    refresh_token: RefreshTokenText = Field(alias="refreshToken")


class LogoutRequest(Schema):
    refresh_token: RefreshTokenText | None = Field(
        default=None,
        alias="refreshToken",
        description="Ends the sign-in even when the access token has expired",
    )


class UserRead(Schema):
    id: uuid.UUID
    email: str
    display_name: str = Field(serialization_alias="displayName")
    role: RoleName
    is_active: bool = Field(serialization_alias="isActive")
    last_login_at: dt.datetime | None = Field(serialization_alias="lastLoginAt")
    created_at: dt.datetime = Field(serialization_alias="createdAt")


class TokenPair(Schema):
    access_token: str = Field(serialization_alias="accessToken")
    refresh_token: str = Field(serialization_alias="refreshToken")
    token_type: Literal["bearer"] = Field(default="bearer", serialization_alias="tokenType")
    expires_in: int = Field(serialization_alias="expiresIn", description="Seconds the access token is valid")
    idle_timeout_seconds: int = Field(
        serialization_alias="idleTimeoutSeconds",
        description="The console signs out after this long without use (CONSOLE_IDLE_TIMEOUT_SECONDS)",
    )
    user: UserRead


class UserList(Schema):
    items: list[UserRead]


class UserCreate(Schema):
    email: Email
    display_name: DisplayName = Field(alias="displayName")
    password: NewPassword
    role: RoleName = UserRole.OPERATOR.value


class UserUpdate(Schema):
    display_name: DisplayName | None = Field(default=None, alias="displayName")
    role: RoleName | None = None
    is_active: bool | None = Field(default=None, alias="isActive")
    password: NewPassword | None = None
