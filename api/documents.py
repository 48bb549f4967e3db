"""The documents a solved round is written as: ``result.json`` and ``kpis.json``.

Each is a pydantic model defined once, with a schema version, so that the files, the HTTP
service and the batch runner write and read the same shape. A change to a document's shape
raises its :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.evaluator import Evaluation, Kpis
from matcher.objective import SCORE_RESOLUTION, Objective
from matcher.stability import StabilityKpis
from solvers.prices import Prices
from solvers.result import Result, Status

# 3: the objective's breadth bonus, the KPIs' lender-host links, kpis.json's prices
SCHEMA_VERSION = 3

UNITS = {
    "lexicographic": (
        f"score, breadth bonus and penalty in 1/{SCORE_RESOLUTION:,} of a score point; "
        "value = score + bonus - penalty, the term maximised among assignments with the most "
        "placements; bound bounds value at these placements, or is null while "
        "placement_bound allows more placements (the gap is then on placements)"
    ),
    "weighted": (
        f"score, breadth bonus and penalty in 1/{SCORE_RESOLUTION:,} of a score point; "
        "value = placement weight x placements + score + bonus - penalty, the one sum "
        "maximised; bound bounds value"
    ),
}
"""What ``result.json``'s numbers count, per kind of objective."""
"""The version of both documents' shape."""


class _Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ObjectiveDocument(_Document):
    """An assignment's objective: placements, score and penalties in integer units."""

    placements: int
    score: int
    penalty: int
    value: int
    bonus: int = 0

    @classmethod
    def of(cls, objective: Objective) -> ObjectiveDocument:
        return cls(
            placements=objective.placements,
            score=objective.score,
            penalty=objective.penalty,
            bonus=objective.bonus,
            value=objective.value,
        )


class ResultDocument(_Document):
    """``result.json``: how the solve went.

    ``bound`` is on ``objective.value`` in the same integer units (for a lexicographic
    objective: on the score term given the placements found); ``gap`` is relative.
    ``deterministic`` says whether the run was reproducible (:attr:`Result.deterministic`);
    such a run's document leaves out the seconds measured (None), so that the same round
    and seed give the same files byte for byte.
    """

    schema_version: int = SCHEMA_VERSION
    method: str = Field(description="the method asked for, e.g. auto")
    solver: str = Field(description="the solver that produced the result")
    status: str
    placements: int
    objective: ObjectiveDocument | None
    objective_kind: Literal["lexicographic", "weighted"] | None = Field(
        description="lexicographic: placements first, then the score term; weighted: one sum"
    )
    bound: float | None
    placement_bound: int | None = Field(
        description="lexicographic: the most placements the bound allows, when known"
    )
    gap: float | None
    bounds: dict[str, float] = Field(
        default_factory=dict,
        description="each relaxation's bound on value, in the units of bound, when the method "
        "reports them apart: seat_relaxation (seats and tours only) and priced (every budget, "
        "seat and minimum priced); bound is the best of them",
    )
    units: str = Field(description="what the objective's numbers and the bound count")
    deterministic: bool
    solve_seconds: float | None
    compile_seconds: float | None
    notes: list[str]
    conflicts: list[str]

    @classmethod
    def of(cls, method: str, result: Result, compile_seconds: float) -> ResultDocument:
        """The document of ``result``, solved by ``method`` after ``compile_seconds``."""
        measured = not result.deterministic
        objective = result.objective
        kind: Literal["lexicographic", "weighted"] | None = None
        if objective is not None:
            kind = "lexicographic" if objective.lexicographic else "weighted"
        return cls(
            method=method,
            solver=result.solver,
            status=str(result.status),
            placements=result.placements,
            objective=None if objective is None else ObjectiveDocument.of(objective),
            objective_kind=kind,
            # while more placements are possible, a bound on the score term at these
            # placements is not known: the gap is then on the placements
            bound=None if result.placements_short else result.bound,
            placement_bound=_placement_bound(result, kind),
            gap=result.gap,
            bounds=dict(result.bounds),
            units=UNITS[kind] if kind is not None else "",
            deterministic=result.deterministic,
            solve_seconds=round(result.wall_time, 3) if measured else None,
            compile_seconds=round(compile_seconds, 3) if measured else None,
            notes=list(result.notes),
            conflicts=list(result.conflicts),
        )


class KpisDocument(_Document):
    """``kpis.json``: the evaluator's verdict, the objective it computed and the KPIs."""

    schema_version: int = SCHEMA_VERSION
    feasible: bool
    violations: list[str]
    objective: ObjectiveDocument
    kpis: Kpis
    stability: StabilityKpis | None = None
    prices: Prices | None = Field(
        default=None,
        description="the price of every active rule, when asked for (cosource solve --prices): "
        "placements and score (points of the secondary term, and its share) that dropping "
        "the rule gains, estimated by the linear relaxation and confirmed by re-solves",
    )

    @classmethod
    def of(
        cls,
        evaluation: Evaluation,
        stability: StabilityKpis | None,
        prices: Prices | None = None,
    ) -> KpisDocument:
        """The document of an evaluation, with the matching's stability when audited and
        the rules' prices when computed."""
        return cls(
            feasible=evaluation.feasible,
            violations=[str(v) for v in evaluation.violations],
            objective=ObjectiveDocument.of(evaluation.objective),
            kpis=evaluation.kpis,
            stability=stability,
            prices=prices,
        )


def _placement_bound(result: Result, kind: str | None) -> int | None:
    """The most placements possible, when known: an optimal lexicographic result's own."""
    if result.placement_bound is not None:
        return result.placement_bound
    if kind == "lexicographic" and result.status == Status.OPTIMAL:
        return result.placements
    return None


def to_json(document: BaseModel) -> str:
    """A document as the indented JSON the files hold."""
    return document.model_dump_json(indent=1) + "\n"


__all__ = [
    "SCHEMA_VERSION",
    "KpisDocument",
    "ObjectiveDocument",
    "ResultDocument",
    "to_json",
]
