"""Fixtures of the service tests: each test that takes ``database`` (or ``database_url``)
runs twice, on SQLite and on PostgreSQL, since the service promises both.

PostgreSQL comes from :mod:`tests.service.postgres`. Without a server the PostgreSQL runs
skip, saying why; in CI (``CI=true``) they fail instead, so that CI cannot pass without
having run them. ``-m "not postgres"`` leaves them out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.service.database import Database
from api.service.settings import Settings
from tests.service.client import service_client, service_settings
from tests.service.postgres import PostgresUnavailableError, fresh_database, server_url


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """URL of a PostgreSQL server the tests may create databases on (started once)."""
    try:
        return server_url()
    except PostgresUnavailableError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {error}", pytrace=False)
        pytest.skip(f"no PostgreSQL server: {error}")


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database of its own for one test: an SQLite file in ``tmp_path``, or
    a fresh database on the PostgreSQL server, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/cosource.db"
        return
    # asked for here, not as an argument: the SQLite runs must not need a server
    server: str = request.getfixturevalue("postgres_server")
    with fresh_database(server) as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The service's :class:`Database` on ``database_url``, migrated to the newest schema."""
    db = Database(database_url)
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """As ``database_url``, but one database for all the tests of a module that take it:
    for data that is slow to set up (a solved run) and that the tests only add to."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('module-db')}/cosource.db"
        return
    server: str = request.getfixturevalue("postgres_server")
    with fresh_database(server) as url:
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The service's settings on ``database_url``, with short heartbeats and polls."""
    return service_settings(database_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the app on ``settings`` (migrated at start); any 5xx answer fails the
    test that got it."""
    with service_client(settings) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def module_settings(module_database_url: str) -> Settings:
    """As ``settings``, on the module's database (``module_database_url``)."""
    return service_settings(module_database_url)


@pytest.fixture(scope="module")
def module_client(module_settings: Settings) -> Iterator[TestClient]:
    """As ``client``, one for the module's tests: for data set up once (a solved run) that
    the tests only read."""
    with service_client(module_settings) as test_client:
        yield test_client
