"""What routes receive from the app: settings, the database and the compiled-round cache,
as annotated types (no globals)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.service.compiled import CompiledCache
from api.service.database import Database
from api.service.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_cache(request: Request) -> CompiledCache:
    cache: CompiledCache = request.app.state.cache
    return cache


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
CacheDep = Annotated[CompiledCache, Depends(get_cache)]
