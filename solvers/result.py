"""What every solver takes and returns: parameters, progress reports and one Result type."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from matcher.compile import CompiledRound
from matcher.objective import Objective
from solvers.stop import Deadline, StopCriterion


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"
    MODEL_INVALID = "model_invalid"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True)
class Progress:
    """A progress report during a solve: the incumbent, the bound and the time so far, in
    the units of the final result.

    For a lexicographic objective ``objective`` and ``bound`` are the score term (score
    minus penalties) given the incumbent's ``placements``, and ``placement_bound`` is the
    most placements the bound allows. While that is more than the incumbent makes, the
    score term's bound belongs to another number of placements: ``bound`` is None and the
    gap is on the placements, as :attr:`Result.gap` does.
    """

    solver: str
    elapsed: float
    objective: float | None
    bound: float | None
    placements: int | None = None
    placement_bound: int | None = None
    edges: npt.NDArray[np.int64] | None = None
    """The incumbent's edges (indices into the compiled round's edges), when the solver
    shares them: the service stores them, so that an interrupted run resumes from them."""

    @property
    def placements_short(self) -> bool:
        """Whether the bound allows more placements than the incumbent makes."""
        return (
            self.placements is not None
            and self.placement_bound is not None
            and self.placement_bound > self.placements
        )

    @property
    def gap(self) -> float | None:
        if self.placements_short:
            return relative_gap(self.placements, self.placement_bound)
        return relative_gap(self.objective, self.bound)

    @classmethod
    def of_combined(
        cls,
        solver: str,
        elapsed: float,
        value: float,
        placements: int | None,
        combined_bound: float,
        multiplier: int,
    ) -> Progress:
        """A report from a bound on the combined objective (``multiplier * placements +
        score term`` when lexicographic, ``placements`` then given; the objective's value
        otherwise)."""
        if not math.isfinite(combined_bound):
            return cls(solver, elapsed, value, None, placements)
        if placements is None:
            return cls(solver, elapsed, value, combined_bound, None)
        most = max(math.floor((combined_bound + 1e-6) / multiplier), placements)
        if most > placements:
            return cls(solver, elapsed, value, None, placements, most)
        return cls(
            solver, elapsed, value, combined_bound - multiplier * placements, placements, most
        )


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class SolveParams:
    """Parameters shared by all solvers.

    Attributes
    ----------
    time_limit
        Wall-clock limit in seconds.
    workers
        Search workers (CP-SAT); the machines this runs on have 2 cores.
    seed
        Random seed; with one worker the same seed gives the same result (see
        :attr:`reproducible`).
    relative_gap
        Stop once the relative gap between incumbent and bound is at most this.
    progress
        Called with a :class:`Progress` at each new incumbent.
    deadline
        The command's deadline, when the solve is one phase of a longer command (see
        :func:`with_deadline`); its ``seconds`` equal ``time_limit``. None: the solve times
        itself from its own start.
    stop
        An extra stop criterion (:mod:`solvers.stop`), asked at each new incumbent.
    start
        Edges of an assignment to start from (an interrupted run's stored incumbent): the
        portfolio keeps it when it breaks no constraint and beats its own first solutions.
    work_seconds
        The seconds a reproducible run (:attr:`reproducible`) turns into work budgets: the
        command's time limit, fixed before any phase ran (:meth:`with_deadline` keeps the
        first one); None: ``time_limit``.
    """

    time_limit: float = 10.0
    workers: int = 2
    seed: int = 0
    relative_gap: float = 0.0
    progress: ProgressCallback | None = None
    deadline: Deadline | None = None
    stop: StopCriterion | None = None
    work_seconds: float | None = None
    start: npt.NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        if not (self.time_limit > 0 and math.isfinite(self.time_limit)):
            raise ValueError("time_limit <= 0 not understood.")
        if self.workers < 1:
            raise ValueError("workers < 1 not understood.")
        if not 0 <= self.relative_gap < 1:
            raise ValueError("relative_gap outside [0, 1) not understood.")
        if self.deadline is not None and self.deadline.seconds != self.time_limit:
            raise ValueError("deadline and time_limit disagree.")

    def timer(self) -> Deadline:
        """The deadline the solve counts from: the command's, or one that starts now."""
        return self.deadline if self.deadline is not None else Deadline(self.time_limit)

    def should_stop(self, progress: Progress) -> bool:
        """Whether the search should stop now: the deadline has passed, or the stop
        criterion says so on ``progress`` (the deadline then ends for every phase)."""
        deadline = self.timer()
        if self.stop is not None and self.stop(progress):
            deadline.end()
        return deadline.expired()

    def with_deadline(self, deadline: Deadline) -> SolveParams:
        """These parameters, timed by ``deadline`` (its ``seconds`` become the limit)."""
        return dataclasses.replace(
            self, time_limit=deadline.seconds, deadline=deadline, work_seconds=self.budget_seconds
        )

    @property
    def reproducible(self) -> bool:
        """Whether the solve bounds its phases by deterministic work rather than wall time,
        so that the same round and seed give the same result (one worker: see
        :mod:`solvers.work`)."""
        return self.workers == 1

    @property
    def budget_seconds(self) -> float:
        """The seconds a reproducible run turns into work budgets (see ``work_seconds``)."""
        return self.work_seconds if self.work_seconds is not None else self.time_limit


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|bound - objective| / max(1, |objective|)``, or None if either is unknown."""
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(1.0, abs(objective))


@dataclass(frozen=True)
class Result:
    """The outcome of one solve, the same for every solver.

    Attributes
    ----------
    solver
        Name of the solver.
    status
        How the solve ended.
    edges
        Indices (into the compiled round's edges) of the chosen placements, sorted.
    objective
        The objective of the assignment as the solver computed it (None without one).
    bound
        Best proven bound on ``objective.value`` (for a lexicographic objective: on the
        secondary term, given the placements found), None if unknown.
    wall_time
        Seconds spent solving.
    notes
        Human-readable remarks: the solver used, infeasibility reasons, and the like.
    conflicts
        For infeasible rounds: the names of the constraint groups in conflict.
    placement_bound
        For a lexicographic objective: the most placements proven possible, when known.
    deterministic
        Whether the run was reproducible: the same round, seed and options give the same
        result (one worker, every phase bounded by work, none cut by the clock; or a method
        that does not search).
    bounds
        Each relaxation's bound, in the units of ``bound``, by name, when a method reports
        them apart (``decompose``: ``seat_relaxation``, seats and tours only, and ``priced``,
        every budget, seat and minimum priced); ``bound`` is the best of them.
    """

    solver: str
    status: Status
    edges: npt.NDArray[np.int64]
    objective: Objective | None
    bound: float | None
    wall_time: float
    notes: Sequence[str] = ()
    conflicts: Sequence[str] = ()
    placement_bound: int | None = None
    deterministic: bool = False
    bounds: Mapping[str, float] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        # a result is never changed once built (later phases and the service keep them):
        # the remarks become tuples and the edges read-only
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "conflicts", tuple(self.conflicts))
        object.__setattr__(self, "bounds", dict(self.bounds))
        edges = np.array(self.edges, dtype=np.int64)
        edges.flags.writeable = False
        object.__setattr__(self, "edges", edges)

    @classmethod
    def no_solution(
        cls,
        solver: str,
        status: Status,
        wall_time: float,
        notes: Sequence[str] = (),
        conflicts: Sequence[str] = (),
        bound: float | None = None,
    ) -> Result:
        """A result without an assignment: infeasible, unknown or rejected."""
        return cls(
            solver=solver,
            status=status,
            edges=np.zeros(0, dtype=np.int64),
            objective=None,
            bound=bound,
            wall_time=wall_time,
            notes=notes,
            conflicts=conflicts,
        )

    @property
    def gap(self) -> float | None:
        """Relative gap between the objective value and the bound.

        For a lexicographic objective whose placements fall short of ``placement_bound``,
        the gap is on the placements: the score term's bound then belongs to another
        number of placements and says nothing about this solution.
        """
        if self.objective is None:
            return None
        if self.placements_short:
            bound = float(self.placement_bound or 0)
            return relative_gap(self.objective.placements, bound)
        return relative_gap(self.objective.value, self.bound)

    @property
    def placements_short(self) -> bool:
        """Whether a lexicographic solution has fewer placements than may be possible."""
        return (
            self.objective is not None
            and self.objective.lexicographic
            and self.placement_bound is not None
            and self.placement_bound > self.objective.placements
        )

    @property
    def placements(self) -> int:
        return int(self.edges.size)

    def pairs(self, compiled: CompiledRound) -> list[tuple[str, str]]:
        """The placements as (talent id, package id) pairs."""
        a = compiled.arrays
        return [
            (a.talent_ids[compiled.talent[e]], a.package_ids[compiled.package[e]])
            for e in self.edges.tolist()
        ]
