"""Request-scoped dependencies, as Annotated aliases."""

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.core import clock, db
from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.redis import Store
from mnp_chatbot.core.resources import Resources


async def get_resources(request: Request) -> Resources:
    resources = request.state.resources
    assert isinstance(resources, Resources), "the lifespan puts the resources in every request's state"
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    async for session in db.session_scope(resources.sessionmaker):
        yield session


async def get_settings(resources: ResourcesDep) -> Settings:
    return resources.settings


async def get_store(resources: ResourcesDep) -> Store:
    return resources.store


SessionDep = Annotated[AsyncSession, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
TodayDep = Annotated[dt.date, Depends(clock.today_jst)]  # the date in Japan; tests override clock.today_jst
