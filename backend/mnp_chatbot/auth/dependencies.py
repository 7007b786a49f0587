"""Who is calling: `CurrentUser` for any signed-in console user, `require_role(...)` for a role check."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mnp_chatbot.auth.exceptions import InsufficientRole
from mnp_chatbot.auth.models import User, UserRole
from mnp_chatbot.auth.service import AuthService, Principal
from mnp_chatbot.auth.users import UserService
from mnp_chatbot.container import ServicesDep
from mnp_chatbot.core.dependencies import ResourcesDep
from mnp_chatbot.core.errors import Unauthorized
from mnp_chatbot.core.ratelimit import scope_client_address, trusted_networks

bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/auth/login")


async def get_auth_service(services: ServicesDep) -> AuthService:
    return services.auth


async def get_user_service(services: ServicesDep) -> UserService:
    return services.users


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]
UserServiceDep = Annotated[UserService, Depends(get_user_service)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def current_principal(credentials: BearerDep, auth: AuthServiceDep) -> Principal:
    if credentials is None:
        raise Unauthorized(headers={"WWW-Authenticate": "Bearer"})
    return await auth.authenticate(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def current_user(principal: CurrentPrincipal) -> User:
    return principal.user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: UserRole) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets through only users holding one of `roles`."""
    allowed = frozenset(role.value for role in roles)

    async def dependency(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise InsufficientRole()
        return user

    return dependency


AdminUser = Annotated[User, Depends(require_role(UserRole.ADMIN))]
StaffUser = Annotated[User, Depends(require_role(UserRole.ADMIN, UserRole.OPERATOR))]


async def client_address(request: Request, resources: ResourcesDep) -> str:
    """The caller's address, from X-Forwarded-For only when the peer is a trusted proxy."""
    return scope_client_address(request.scope, trusted_networks(resources.settings.TRUSTED_PROXIES))


ClientAddress = Annotated[str, Depends(client_address)]
