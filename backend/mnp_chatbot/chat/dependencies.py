from typing import Annotated, Any

from fastapi import Depends, Header, Path, Response

from mnp_chatbot.chat.service import ChatService
from mnp_chatbot.chat.tokens import SESSION_TOKEN_HEADER, TOKEN_PATTERN
from mnp_chatbot.container import ServicesDep


async def get_chat_service(services: ServicesDep) -> ChatService:
    return services.chat


ChatServiceDep = Annotated[ChatService, Depends(get_chat_service)]

# The customer's session token, in a header: URLs end up in proxy and CDN logs.
SessionTokenHeader = Annotated[
    str,
    Header(
        alias=SESSION_TOKEN_HEADER,
        pattern=TOKEN_PATTERN,
        description="The session token (`sessionId`) the chat API returned",
    ),
]


def deprecated_for(successor: str) -> Any:
    """Marks an old route that carries the session token in its path (RFC 9745 `Deprecation`, RFC 8288
    `Link` to the route that replaces it)."""

    async def mark(response: Response) -> None:
        response.headers["Deprecation"] = "true"
        response.headers["Link"] = f'<{successor}>; rel="successor-version"'

    return Depends(mark)


# The old, deprecated form: the token in the path.
SessionPath = Annotated[
    str, Path(pattern=TOKEN_PATTERN, description="Deprecated: send the token in X-Session-Token instead")
]
