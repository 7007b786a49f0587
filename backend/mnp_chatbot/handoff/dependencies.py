from typing import Annotated

from fastapi import Depends

from mnp_chatbot.container import ServicesDep
from mnp_chatbot.handoff.service import HandoffService


async def get_handoff_service(services: ServicesDep) -> HandoffService:
    return services.handoffs


HandoffServiceDep = Annotated[HandoffService, Depends(get_handoff_service)]
