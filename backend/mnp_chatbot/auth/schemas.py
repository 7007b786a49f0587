"""Bodies of the sign-in and user-management API."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from mnp_chatbot.auth.models import UserRole
from mnp_chatbot.auth.passwords import MAX_LENGTH, MIN_LENGTH
from mnp_chatbot.core.schemas import Schema

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
    ),
]
NewPassword = Annotated[str, StringConstraints(min_length=MIN_LENGTH, max_length=MAX_LENGTH)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
RoleName = Literal["admin", "operator", "viewer"]


class LoginRequest(Schema):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=MAX_LENGTH)]


class RefreshRequest(Schema):
    refresh_token: Annotated[str, StringConstraints(min_length=16, max_length=128)] = Field(
        alias="refreshToken"
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
