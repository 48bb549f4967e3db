"""The tables of who may do what and what they decided: API keys, offers with the three
parties' decisions, tour check-ins, and the append-only audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.service.tables import Base, utc_now


class ApiKeyRow(Base):
    """An API key: its public prefix (for lookup), the SHA-256 of the whole key (the key
    itself is shown once and never stored), the role and whose it is."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(20), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    organization: Mapped[str | None] = mapped_column(String(200))
    talent: Mapped[str | None] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]


class OfferRow(Base):
    """A placement offered to its three parties: published from a run, then accepted or
    declined by the talent, the host and the lender."""

    __tablename__ = "offers"
    __table_args__ = (
        Index("ix_offers_round_status", "round_id", "status"),
        Index("ix_offers_host", "round_id", "host"),
        Index("ix_offers_lender", "round_id", "lender"),
        Index("ix_offers_talent", "round_id", "talent"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    talent: Mapped[str] = mapped_column(String(200))
    package: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    lender: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    # the placement's row as the run stored it: scores, parts, cost split, names
    placement: Mapped[dict[str, Any]] = mapped_column(JSON)
    talent_decision: Mapped[str | None] = mapped_column(String(10))
    host_decision: Mapped[str | None] = mapped_column(String(10))
    lender_decision: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class CheckInRow(Base):
    """What a talent on an active or completed tour reports: the three outcomes the
    platform's study measured."""

    __tablename__ = "check_ins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    by: Mapped[str] = mapped_column(String(20))
    learning: Mapped[bool]
    strengths: Mapped[bool]
    connected: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")


class AuditRow(Base):
    """One entry of the audit log: who did what, when and why. Append-only: the service has
    no path that changes or removes an entry, and the database refuses it (triggers)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    round_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class RoundStateRow(Base):
    """A round's workflow state: closed rounds take no more decisions."""

    __tablename__ = "round_states"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    closed_at: Mapped[dt.datetime | None]
