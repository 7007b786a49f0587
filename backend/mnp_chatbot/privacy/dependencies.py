from typing import Annotated, cast

from fastapi import Depends

from mnp_chatbot.core.dependencies import ResourcesDep
from mnp_chatbot.privacy.service import DataRightsService


async def get_data_rights(resources: ResourcesDep) -> DataRightsService:
    return cast(DataRightsService, resources.extras["data_rights"])


DataRightsDep = Annotated[DataRightsService, Depends(get_data_rights)]
