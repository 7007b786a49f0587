from typing import Annotated, cast

from fastapi import Depends

from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.core.dependencies import ResourcesDep


async def get_audit_trail(resources: ResourcesDep) -> AuditTrail:
    return cast(AuditTrail, resources.extras["audit"])


AuditTrailDep = Annotated[AuditTrail, Depends(get_audit_trail)]
