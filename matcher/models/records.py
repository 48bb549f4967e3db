"""The records of a round: organizations, talents and work packages.

Field-level checks (ranges, formats, levels and weights, repeated list items) live on each
record; checks across records live on :class:`matcher.models.round.Round`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from matcher.models.fields import (
    Budget,
    Id,
    Pay,
    Record,
    Share,
    check_levels,
    check_unique,
    check_weights,
)


class Structure(StrEnum):
    """How an organization is layered; a move to a flatter one is a source of novelty."""

    HIERARCHICAL = "hierarchical"
    FLAT = "flat"


class Role(StrEnum):
    """What an organization does on the platform."""

    LENDER = "lender"
    HOST = "host"
    BOTH = "both"


class RemoteMode(StrEnum):
    """Where a work package is done."""

    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"


class Organization(Record):
    """An organization that lends talents, hosts work packages, or both.

    Budgets are monthly totals; ``None`` means no limit.
    """

    id: Id
    name: str = Field(min_length=1)
    sector: str = Field(min_length=1)
    structure: Structure = Structure.HIERARCHICAL
    role: Role = Role.BOTH
    competitors: list[Id] = Field(default_factory=list)
    topup_budget: Budget | None = None
    hiring_budget: Budget | None = None

    @property
    def lends(self) -> bool:
        """Whether the organization may lend talents."""
        return self.role in (Role.LENDER, Role.BOTH)

    @property
    def hosts(self) -> bool:
        """Whether the organization may host work packages."""
        return self.role in (Role.HOST, Role.BOTH)

    @field_validator("competitors")
    @classmethod
    def _competitors_unique(cls, value: list[str]) -> list[str]:
        return check_unique(value)


class Talent(Record):
    """A senior employee lent by ``lender`` for a tour of duty.

    ``salary`` is the monthly employer cost at full time; ``retention`` is the share of it
    that is guaranteed while on tour; ``fte`` is the share of full time available.
    """

    id: Id
    lender: Id
    age: int = Field(ge=16, le=100)
    strengths: dict[str, int] = Field(default_factory=dict)
    learning_goals: dict[str, float] = Field(default_factory=dict)
    values: list[str] = Field(default_factory=list)
    salary: Pay
    retention: Share = 1.0
    fte: Share = 1.0
    available_from: dt.date
    available_to: dt.date
    region: str = Field(min_length=1)
    accepts_remote: bool = True
    languages: list[str] = Field(default_factory=list)
    alumni: list[Id] = Field(default_factory=list)
    network: list[Id] = Field(default_factory=list)
    excluded: list[Id] = Field(default_factory=list)
    preferences: list[Id] = Field(default_factory=list)

    @field_validator("strengths")
    @classmethod
    def _strength_levels(cls, value: dict[str, int]) -> dict[str, int]:
        return check_levels(value, "strength")

    @field_validator("learning_goals")
    @classmethod
    def _goal_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return check_weights(value, "learning goal")

    @field_validator("values", "languages", "alumni", "network", "excluded", "preferences")
    @classmethod
    def _lists_unique(cls, value: list[str]) -> list[str]:
        return check_unique(value)

    @model_validator(mode="after")
    def _window(self) -> Talent:
        if self.available_to < self.available_from:
            raise ValueError(
                f"available_to {self.available_to} is before available_from {self.available_from}"
            )
        return self


class WorkPackage(Record):
    """A tour of duty offered by ``host``: a mission over a fixed interval, with seats.

    ``fee_cap`` is the most the host pays per seat per month; the lender tops up the rest
    of the talent's retained salary.
    """

    id: Id
    host: Id
    title: str = Field(min_length=1)
    mission: str = ""
    required: dict[str, int] = Field(default_factory=dict)
    desired: dict[str, float] = Field(default_factory=dict)
    learnable: list[str] = Field(default_factory=list)
    values: list[str] = Field(default_factory=list)
    seats: int = Field(ge=1, le=10_000)
    fte: Share = 1.0
    start: dt.date
    end: dt.date
    fee_cap: Pay
    region: str = Field(min_length=1)
    remote: RemoteMode = RemoteMode.ONSITE
    languages: list[str] = Field(default_factory=list)
    ranking: list[Id] = Field(default_factory=list)

    @field_validator("required")
    @classmethod
    def _required_levels(cls, value: dict[str, int]) -> dict[str, int]:
        return check_levels(value, "required")

    @field_validator("desired")
    @classmethod
    def _desired_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return check_weights(value, "desired skill")

    @field_validator("learnable", "values", "languages", "ranking")
    @classmethod
    def _lists_unique(cls, value: list[str]) -> list[str]:
        return check_unique(value)

    @model_validator(mode="after")
    def _interval(self) -> WorkPackage:
        both = sorted(set(self.required) & set(self.desired))
        if both:
            raise ValueError(f"skill '{both[0]}' is both required and desired; list it once")
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def months(self) -> float:
        """Length of the tour in months (30.44 days each)."""
        return ((self.end - self.start).days + 1) / 30.44


def peak_fte(packages: list[WorkPackage]) -> float:
    """Largest total FTE of the packages running on any one day."""
    events = sorted(
        [(p.start.toordinal(), 0, p.fte) for p in packages]
        + [(p.end.toordinal() + 1, -1, -p.fte) for p in packages]
    )
    load, peak = 0.0, 0.0
    for _, _, delta in events:
        load += delta
        peak = max(peak, load)
    return peak


__all__ = [
    "Organization",
    "RemoteMode",
    "Role",
    "Structure",
    "Talent",
    "WorkPackage",
    "peak_fte",
]
