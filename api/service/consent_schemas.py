"""What the consent routes take and return: keys, decisions, check-ins, the audit log."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.service.keys import Role
from api.service.offers import Decision, Party

Text = Field(default="", max_length=2000)


class KeyCreate(BaseModel):
    """A key to create: the role, and whom it speaks for."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    organization: str | None = Field(default=None, min_length=1, max_length=200)
    talent: str | None = Field(default=None, min_length=1, max_length=200)
    label: str = Field(default="", max_length=200)


class KeyPublic(BaseModel):
    """A key as listed: never the key itself."""

    model_config = ConfigDict(from_attributes=True)

    prefix: str
    role: str
    organization: str | None
    talent: str | None
    label: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class KeyCreated(KeyPublic):
    """A new key: ``key`` is shown this once and stored only as its SHA-256."""

    key: str


class DecisionCreate(BaseModel):
    """A party's decision on an offer; the coordinator names the party it acts for."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reason: str = Text
    party: Party | None = Field(default=None, description="only the coordinator names it")


class PublicationPublic(BaseModel):
    run_id: int
    created: int
    kept: int
    withdrawn: int


class CheckInCreate(BaseModel):
    """A talent's check-in on an active or completed tour: the study's three outcomes."""

    model_config = ConfigDict(extra="forbid")

    learning: bool = Field(description="learning something they want")
    strengths: bool = Field(description="using their strengths")
    connected: bool = Field(description="still feeling connected to their lender")
    note: str = Text


class CheckInPublic(CheckInCreate):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: int
    offer_id: int
    at: dt.datetime
    by: str


class AuditEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    subject: str
    round_id: int | None
    detail: str
    reason: str


class Shares(BaseModel):
    """Shares of tours, each None when there is nothing to count."""

    learning: float | None
    strengths: float | None
    connected: float | None


class OutcomesPublic(BaseModel):
    """Predicted (from the scores) beside reported (from check-ins) outcomes of a round's
    agreed tours, against the study's figures."""

    round_id: int
    agreed: int
    active: int
    completed: int
    check_ins: int
    predicted: Shares
    reported: Shares
    study: Shares
    notes: list[str]
