from typing import Annotated, cast

from fastapi import Depends

from mnp_chatbot.chat.service import ChatService
from mnp_chatbot.core.dependencies import ResourcesDep


async def get_chat_service(resources: ResourcesDep) -> ChatService:
    return cast(ChatService, resources.extras["chat"])


ChatServiceDep = Annotated[ChatService, Depends(get_chat_service)]
