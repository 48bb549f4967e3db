"""The database layer on SQLite and PostgreSQL alike: migrations, transactions, concurrent
writers and times."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import StatementError

from api.service.database import Database
from api.service.tables import Base, RoundRow


def count_rounds(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(RoundRow)) or 0


def test_migrate_creates_every_table_and_again_changes_nothing(database: Database) -> None:
    with database.write() as session:
        session.add(RoundRow(name="kept"))

    database.migrate()

    tables = set(inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) | {"alembic_version"} == tables
    with database.read() as session:
        versions = session.scalars(text("SELECT version_num FROM alembic_version")).all()
        names = session.scalars(select(RoundRow.name)).all()
    assert len(versions) == 1
    assert names == ["kept"]


def test_a_write_that_raises_stores_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError, match="midway"), database.write() as session:
        session.add(RoundRow(name="lost"))
        # flushed: the row did reach the database before the rollback took it back
        session.flush()
        raise RuntimeError("midway")

    assert count_rounds(database) == 0


def test_two_concurrent_writers_both_commit(database: Database) -> None:
    # two connections of their own (as the server and a worker have) enter a write
    # together; each reads then writes, the pattern that makes a deferred SQLite transaction
    # fail at once with "database is locked"
    other = Database(database.url)
    together = threading.Barrier(2, timeout=10)

    def writer(name: str, db: Database) -> None:
        with db.write() as session:
            together.wait()
            seen = session.scalar(select(func.count()).select_from(RoundRow)) or 0
            session.add(RoundRow(name=name, latest_version=seen + 1))
            session.flush()
            # holds its lock a while, so that the other writer has to wait for it
            time.sleep(0.2)

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = [pool.submit(writer, "first", database), pool.submit(writer, "second", other)]
            for future in done:
                future.result(timeout=60)
    finally:
        other.dispose()

    with database.read() as session:
        names = sorted(session.scalars(select(RoundRow.name)).all())
    assert names == ["first", "second"]


def test_threads_writing_through_one_database_all_commit(database: Database) -> None:
    # on SQLite they take turns on the process's lock (no sleeping in SQLite's busy handler)
    together = threading.Barrier(8, timeout=10)

    def writer(name: str) -> None:
        together.wait()
        with database.write() as session:
            seen = session.scalar(select(func.count()).select_from(RoundRow)) or 0
            session.add(RoundRow(name=name, latest_version=seen + 1))

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(writer, f"w{i}") for i in range(8)]:
            future.result(timeout=60)

    with database.read() as session:
        versions = sorted(session.scalars(select(RoundRow.latest_version)).all())
    assert len(versions) == 8
    if database.sqlite:
        # each read the count the one before it committed: no two wrote at once
        assert versions == list(range(1, 9))


def test_a_naive_datetime_is_refused(database: Database) -> None:
    naive = dt.datetime(2026, 1, 2, 3, 4, 5)

    with pytest.raises(StatementError, match="naive datetime") as caught, database.write() as s:
        s.add(RoundRow(name="naive", created_at=naive))
        s.flush()

    assert isinstance(caught.value.orig, ValueError)
    assert count_rounds(database) == 0


def test_an_aware_datetime_comes_back_aware_in_utc(database: Database) -> None:
    # two hours east of UTC: what comes back is the same instant, told in UTC
    stored = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with database.write() as session:
        row = RoundRow(name="aware", created_at=stored)
        session.add(row)
        session.flush()
        key = row.id

    with database.read() as session:
        read = session.scalars(select(RoundRow.created_at).where(RoundRow.id == key)).one()

    assert read == stored
    assert read.utcoffset() == dt.timedelta(0)
    assert read.replace(tzinfo=None) == dt.datetime(2026, 1, 2, 1, 4, 5, 678000)


def test_an_aware_datetime_comes_back_in_utc_whatever_the_servers_zone(
    database: Database,
) -> None:
    # a PostgreSQL server set to another zone than UTC hands timestamptz back in its zone
    stored = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with database.write() as session:
        session.add(RoundRow(name="aware", created_at=stored))

    with database.read() as session:
        if not database.sqlite:
            # India: half an hour off every whole-hour zone, and no daylight saving time
            session.execute(text("SET TIME ZONE 'Asia/Kolkata'"))
        read = session.scalars(select(RoundRow.created_at)).one()

    assert read == stored
    assert read.utcoffset() == dt.timedelta(0)
