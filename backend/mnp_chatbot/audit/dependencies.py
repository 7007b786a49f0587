from typing import Annotated

from fastapi import Depends

from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.container import ServicesDep


async def get_audit_trail(services: ServicesDep) -> AuditTrail:
    return services.audit


AuditTrailDep = Annotated[AuditTrail, Depends(get_audit_trail)]
