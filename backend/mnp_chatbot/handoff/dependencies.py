from typing import Annotated, cast

from fastapi import Depends

from mnp_chatbot.core.dependencies import ResourcesDep
from mnp_chatbot.handoff.service import HandoffService


async def get_handoff_service(resources: ResourcesDep) -> HandoffService:
    return cast(HandoffService, resources.extras["handoffs"])


HandoffServiceDep = Annotated[HandoffService, Depends(get_handoff_service)]
