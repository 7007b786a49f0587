"""The app's services, built once by the lifespan (main.py) and read by the routes' dependencies.

Frozen: what appears after start-up lives in the service that owns it (the knowledge index says when it is
ready); the LINE channel is absent when it is not configured.
"""

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.auth.service import AuthService
from mnp_chatbot.auth.users import UserService
from mnp_chatbot.channels.line.runtime import LineRuntime
from mnp_chatbot.chat.service import ChatService
from mnp_chatbot.core.resources import Resources
from mnp_chatbot.faq.embeddings import DenseIndex
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.handoff.service import HandoffService
from mnp_chatbot.privacy.encryption import Encryptor
from mnp_chatbot.privacy.service import DataRightsService


@dataclass(frozen=True, slots=True)
class Services:
    resources: Resources
    index: KnowledgeIndex
    chat: ChatService
    audit: AuditTrail
    auth: AuthService
    users: UserService
    encryptor: Encryptor
    data_rights: DataRightsService
    handoffs: HandoffService
    llm_model: str | None  # the chat model's name, None without an LLM (curated answers only)
    vector: bool  # the database has pgvector
    dense: DenseIndex | None = None
    embedding: "asyncio.Task[None] | None" = None  # the background embedding of entries at start-up
    line: LineRuntime | None = None


class ServicesMissing(RuntimeError):
    """The request arrived outside the lifespan (no services in its state)."""


def services_of(state: Any) -> Services | None:
    """The services in an ASGI scope's or request's lifespan state, if any."""
    services = state.get("services") if isinstance(state, dict) else getattr(state, "services", None)
    return services if isinstance(services, Services) else None


async def get_services(request: Request) -> Services:
    services = services_of(request.state)
    if services is None:
        raise ServicesMissing()
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
