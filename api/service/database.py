"""The database: engines, sessions and migrations, the same for SQLite and PostgreSQL.

SQLite gets WAL (readers never wait for the writer), a busy timeout, foreign keys, and
``BEGIN IMMEDIATE`` for every writing transaction: a deferred transaction that reads and
then writes can fail at once with "database is locked" when another writer got there
first, where an immediate one waits its turn. Readers use plain ``BEGIN``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_MS = 30_000
"""How long an SQLite connection waits for the writer before it gives up."""


def normalized_url(url: str) -> str:
    """``url`` with PostgreSQL's driver made explicit (psycopg 3, the one installed)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # the driver's own transaction handling is off: the "begin" hook below says how
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """Engines and session factories for one database URL.

    Parameters
    ----------
    url
        SQLAlchemy URL (``sqlite:///cosource.db``, ``postgresql://user@host/db``).
    """

    def __init__(self, url: str) -> None:
        self.url = normalized_url(url)
        self.sqlite = is_sqlite(self.url)
        if self.sqlite:
            self.engine = _sqlite_engine(self.url, immediate=False)
            self.write_engine = _sqlite_engine(self.url, immediate=True)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=10)
            self.write_engine = self.engine
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False)
        # SQLite has one writer at a time, and a writer that finds the database locked
        # sleeps in SQLite's busy handler (1, 2, 5, 10, ... 100 ms at a time) however soon
        # the lock is free: the threads of this process queue on a lock instead, each woken
        # the moment the one before it commits (a worker, in a process of its own, still
        # meets the busy handler)
        self._write_turn: AbstractContextManager[object] = (
            threading.RLock() if self.sqlite else nullcontext()
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading: closing it ends its transaction (whatever it wrote is
        rolled back) and leaves its objects readable."""
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One writing transaction: committed when the block ends, rolled back (nothing
        stored) when it raises."""
        with self._write_turn, self._writer.begin() as session:
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration (creating it in an empty database)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.write_engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()

    def dispose(self) -> None:
        """Close every pooled connection (before a fork, and at the end)."""
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
