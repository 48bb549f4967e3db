"""What routes receive from the app: settings, the database and the compiled-round cache,
as annotated types (no globals).

The getters are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, and
a hop there and back for reading an attribute cost more than the shortlist it served."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.service.compiled import CompiledCache
from api.service.database import Database
from api.service.settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_cache(request: Request) -> CompiledCache:
    cache: CompiledCache = request.app.state.cache
    return cache


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
CacheDep = Annotated[CompiledCache, Depends(get_cache)]
