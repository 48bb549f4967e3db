"""The documents a solved round is written as: ``result.json`` and ``kpis.json``.

Each is a pydantic model defined once, with a schema version, so that the files, the HTTP
service and the batch runner write and read the same shape. A change to a document's shape
raises its :data:`SCHEMA_VERSION`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from matcher.evaluator import Evaluation, Kpis
from matcher.objective import Objective
from matcher.stability import StabilityKpis
from solvers.result import Result

SCHEMA_VERSION = 2
"""The version of both documents' shape."""


class _Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ObjectiveDocument(_Document):
    """An assignment's objective: placements, score and penalties in integer units."""

    placements: int
    score: int
    penalty: int
    value: int

    @classmethod
    def of(cls, objective: Objective) -> ObjectiveDocument:
        return cls(
            placements=objective.placements,
            score=objective.score,
            penalty=objective.penalty,
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
    bound: float | None
    gap: float | None
    deterministic: bool
    solve_seconds: float | None
    compile_seconds: float | None
    notes: list[str]
    conflicts: list[str]

    @classmethod
    def of(cls, method: str, result: Result, compile_seconds: float) -> ResultDocument:
        """The document of ``result``, solved by ``method`` after ``compile_seconds``."""
        measured = not result.deterministic
        return cls(
            method=method,
            solver=result.solver,
            status=str(result.status),
            placements=result.placements,
            objective=None if result.objective is None else ObjectiveDocument.of(result.objective),
            bound=result.bound,
            gap=result.gap,
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

    @classmethod
    def of(cls, evaluation: Evaluation, stability: StabilityKpis | None) -> KpisDocument:
        """The document of an evaluation, with the matching's stability when audited."""
        return cls(
            feasible=evaluation.feasible,
            violations=[str(v) for v in evaluation.violations],
            objective=ObjectiveDocument.of(evaluation.objective),
            kpis=evaluation.kpis,
            stability=stability,
        )


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
