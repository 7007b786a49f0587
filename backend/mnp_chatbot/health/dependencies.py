"""Who may read operational detail (`/metrics`, the checks of `/health`) in production.

Outside production everyone may. In production: a client whose address (from X-Forwarded-For only behind
TRUSTED_PROXIES) is in OPS_ALLOWED_NETWORKS, or a request with `Authorization: Bearer <OPS_TOKEN>`.
"""

import hmac
import ipaddress
from typing import Annotated

from fastapi import Depends, Request

from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.dependencies import ResourcesDep
from mnp_chatbot.core.ratelimit import is_trusted, scope_client_address, trusted_networks


def _bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def may_see_operations(request: Request, settings: Settings) -> bool:
    if not settings.is_production:
        return True
    token = _bearer(request)
    if settings.OPS_TOKEN is not None and token is not None:
        expected = settings.OPS_TOKEN.get_secret_value().encode()
        if hmac.compare_digest(token.encode(), expected):
            return True
    if not settings.OPS_ALLOWED_NETWORKS:
        return False
    client = scope_client_address(request.scope, trusted_networks(settings.TRUSTED_PROXIES))
    try:
        ipaddress.ip_address(client)
    except ValueError:
        return False
    return is_trusted(client, trusted_networks(settings.OPS_ALLOWED_NETWORKS))


async def operations_access(request: Request, resources: ResourcesDep) -> bool:
    return may_see_operations(request, resources.settings)


OperationsAccess = Annotated[bool, Depends(operations_access)]
