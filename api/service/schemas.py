"""What the service's routes take and return (pydantic), with their limits.

Rounds are taken as the same documents the command line reads (a round's JSON, or its CSV
files), so that a round validates the same way, with the same messages, everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from solvers.registry import METHODS

MAX_SEED = 2**31 - 1
MAX_WORKERS = 64
MAX_TIME_LIMIT = 3600.0
MAX_PAGE = 10_000
"""Rows per page of a result at most."""
MAX_SHORTLIST = 1_000
MAX_ID = 2**31 - 1
"""Ids and version numbers are 32-bit in the database (PostgreSQL's ``integer``): a larger
one is refused (422) before a query meets it."""

if TYPE_CHECKING:
    Method = str
else:
    # the methods' names, in the schema as an enum
    Method = Literal[tuple(METHODS)]
T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorPublic(BaseModel):
    """A refused request: why, in words (every 4xx the service answers has this body)."""

    detail: str


ERROR_DESCRIPTIONS = {
    400: "a body that cannot be parsed (JSON that is not UTF-8, a broken multipart form)",
    401: "no API key, or a malformed, unknown or revoked one",
    403: "the caller's role may not do this to an object it sees",
    404: "an id names nothing",
    409: "the object's state does not allow the request",
    413: "the body is over the size limit",
    415: "a body of a content type the operation does not read",
    422: "an invalid parameter or body",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that may answer ``statuses``, each with
    :class:`ErrorPublic` (422 included, this replaces FastAPI's own 422 body, which the
    service does not send)."""
    return {
        status: {"model": ErrorPublic, "description": ERROR_DESCRIPTIONS[status]}
        for status in statuses
    }


class Page(_Out, Generic[T]):
    """One page of a list: ``items`` from ``offset``, of ``total``."""

    total: int
    offset: int
    limit: int
    items: list[T]


class VersionPublic(_Out):
    """A version of a round's input: immutable once stored."""

    number: int
    created_at: dt.datetime
    key: str = Field(description="the round document's own id")
    name: str
    organizations: int
    talents: int
    packages: int
    digest: str = Field(description="SHA-256 of the version's canonical JSON")


class RoundPublic(_Out):
    """A round and its latest version."""

    id: int
    name: str
    created_at: dt.datetime
    latest_version: int
    version: VersionPublic


class RunCreate(BaseModel):
    """How to solve: as ``cosource solve``'s options."""

    # strict: the types the schema promises (no 0 for false, no "2" for 2)
    model_config = ConfigDict(extra="forbid", strict=True)

    method: Method = "auto"
    time_limit: float | None = Field(
        default=None,
        gt=0,
        le=MAX_TIME_LIMIT,
        description="seconds for the whole solve; default: 10 s, plus 1 s per 100 talents "
        "above 1,000, at most 600 s",
    )
    gap: float = Field(default=0.0, ge=0, lt=1, description="stop at this relative gap")
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    workers: int = Field(default=2, ge=1, le=MAX_WORKERS, description="1: reproducible")
    blocking_pairs: bool = Field(default=False, description="keep the blocking pairs")
    version: int | None = Field(default=None, ge=1, le=MAX_ID, description="default: the latest")


class ResolveCreate(RunCreate):
    """How to re-solve: as a run's options, and what may happen to the open offers."""

    open_offers: Literal["keep", "may_move"] = Field(
        default="keep",
        description="keep: the open offers stand (the solve only refills what the declines "
        "freed; if they cannot all stand, they may move); may_move: moving one costs the "
        "disruption penalty, and more placements outweigh it",
    )


class RunProgress(_Out):
    """The latest progress report, in the units of the final result."""

    phase: str
    time_limit: float | None = None
    solver: str | None = None
    elapsed: float | None = None
    placements: int | None = None
    placement_bound: int | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None


class RunPublic(_Out):
    """A run: what was asked, where it stands, and how it ended."""

    id: int
    round_id: int
    version: int
    status: str = Field(
        description="queued, running, solved, no_solution, cancelled or failed; a running "
        "run whose worker died is taken again once its lease expires"
    )
    params: dict[str, Any]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempts: int
    cancel_requested: bool
    progress: RunProgress | None
    incumbent_placements: int | None = Field(description="placements of the stored incumbent")
    incumbent_at: dt.datetime | None
    result: dict[str, Any] | None = Field(description="result.json of the run")
    summary: str | None
    error: str | None
    engine_version: str


class RunEvent(_Out):
    """One entry of a run's history."""

    at: dt.datetime
    kind: str
    detail: str


class Health(BaseModel):
    """Whether the database answers and a worker is alive."""

    status: Literal["ok", "degraded"]
    database: str
    workers: list[WorkerPublic]


class WorkerPublic(_Out):
    name: str
    last_seen: dt.datetime
    run_id: int | None


class Candidate(BaseModel):
    """One shortlist entry: the talent (or package), its total score and the parts; for the
    package's host also the talent's strengths and learning goals and the fee it would pay
    (the coordinator sees the fee and the lender's top-up too)."""

    id: str
    score: float
    parts: dict[str, float]
    strengths: dict[str, int] | None = None
    learning_goals: dict[str, float] | None = None
    host_fee: float | None = None
    topup: float | None = None


class ShortlistPublic(BaseModel):
    """The best candidates of a package (talents), or of a talent (packages)."""

    round_id: int
    version: int
    owner: str
    kind: Literal["package", "talent"]
    candidates: list[Candidate]


class FailedRulePublic(BaseModel):
    rule: str
    reason: str
    detail: str


class WhyNotPublic(BaseModel):
    """Why a talent is not on a package in a run: the rules the pair fails, or the run's
    own reason for the talent, with the seats' holders when the package was full."""

    run_id: int
    talent: str
    package: str
    eligible: bool
    failing_rules: list[FailedRulePublic]
    placed_on: list[str] = Field(description="packages the talent is placed on in the run")
    pair_score: float | None
    reason: str | None = Field(description="the talent's reason code, when unplaced")
    detail: str | None
    package_holders: list[Candidate] = Field(description="who holds the package's seats")
    answer: str


Health.model_rebuild()
