"""The tables: a round's inputs by version, solve runs with their history, and their results.

A round's input is immutable once stored: an edit makes a new version, and each run names
the version it solved, so every result traces to the exact data it came from. Records keep
their validated JSON (``data``) beside the columns that queries filter on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    case,
    cast,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A UTC time that comes back aware on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime stored")
        return None if value is None else value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        stamp: dt.datetime = value
        return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UtcDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class RoundRow(Base):
    """A matching round, known by its versions."""

    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    latest_version: Mapped[int] = mapped_column(Integer, default=1)


class RoundVersionRow(Base):
    """One immutable version of a round's input: its policy and pairs here, its records in
    the three tables below."""

    __tablename__ = "round_versions"
    __table_args__ = (UniqueConstraint("round_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    policy: Mapped[dict[str, Any]]
    pins: Mapped[list[Any]]
    forbidden: Mapped[list[Any]]
    previous: Mapped[list[Any]]
    organizations: Mapped[int] = mapped_column(Integer)
    talents: Mapped[int] = mapped_column(Integer)
    packages: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


class _Record:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("round_versions.id"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]


class OrganizationRow(_Record, Base):
    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("version_id", "key"),)


class TalentRow(_Record, Base):
    __tablename__ = "talents"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        Index("ix_talents_lender", "version_id", "lender"),
    )
    lender: Mapped[str] = mapped_column(String(200))


class PackageRow(_Record, Base):
    __tablename__ = "packages"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        Index("ix_packages_host", "version_id", "host"),
    )
    host: Mapped[str] = mapped_column(String(200))


class RunRow(Base):
    """A solve of one round version: asked for, queued, claimed by a worker under a lease,
    its progress and best assignment so far, and how it ended."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_claim", "status", "lease_expires"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("round_versions.id"))
    status: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    engine_version: Mapped[str] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(100))
    # seconds since the epoch: compared in SQL, the same on every database
    lease_expires: Mapped[float | None] = mapped_column(Float)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    incumbent: Mapped[list[Any] | None] = mapped_column(JSON)
    # counted by the database, so that a status poll need not parse thousands of pairs (the
    # route leaves ``incumbent`` unloaded); a JSON null, which is no array, counts as none
    incumbent_placements: Mapped[int | None] = column_property(
        case(
            (
                func.substr(cast(incumbent, Text), 1, 1) == "[",
                func.json_array_length(incumbent),
            )
        )
    )
    incumbent_at: Mapped[dt.datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    kpis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    summary: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class RunEventRow(Base):
    """A run's history: queued, claimed, interrupted, resumed, cancel asked, finished."""

    __tablename__ = "run_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


class _ResultRow:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    position: Mapped[int] = mapped_column(Integer)
    talent: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]


class PlacementRow(_ResultRow, Base):
    """A placement of a finished run: the row of ``placements.csv``."""

    __tablename__ = "placements"
    __table_args__ = (Index("ix_placements_run", "run_id", "position"),)
    package: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    lender: Mapped[str] = mapped_column(String(200))


class UnplacedRow(_ResultRow, Base):
    """An unplaced talent of a finished run with its reason: the row of ``unplaced.csv``."""

    __tablename__ = "unplaced"
    __table_args__ = (Index("ix_unplaced_run", "run_id", "position"),)
    lender: Mapped[str] = mapped_column(String(200))


class BlockingPairRow(_ResultRow, Base):
    """A blocking pair of a finished run: the row of ``blocking_pairs.csv``."""

    __tablename__ = "blocking_pairs"
    __table_args__ = (Index("ix_blocking_pairs_run", "run_id", "position"),)
    package: Mapped[str] = mapped_column(String(200))


class WorkerRow(Base):
    """A worker process and when it was last seen (``/health`` reports the live ones)."""

    __tablename__ = "workers"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    last_seen: Mapped[dt.datetime] = mapped_column(default=utc_now)
    run_id: Mapped[int | None] = mapped_column(Integer)
