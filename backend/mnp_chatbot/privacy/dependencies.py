from typing import Annotated

from fastapi import Depends

from mnp_chatbot.container import ServicesDep
from mnp_chatbot.privacy.service import DataRightsService


async def get_data_rights(services: ServicesDep) -> DataRightsService:
    return services.data_rights


DataRightsDep = Annotated[DataRightsService, Depends(get_data_rights)]
