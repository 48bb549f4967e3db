"""``why_not(talent, package)``: why a pair is not in the solution.

Either the pair fails eligibility rules (named), or it is eligible and the answer is what
forcing it would cost: the round is solved again with the pair pinned, and the two
objectives are compared. If pinning makes the round infeasible, the conflicting constraint
groups are named instead. The round itself is solved first: when it has no solution with or
without the pair, that is the answer, and the pair is not blamed.

Both solves share the question's time limit: the first gets half of it, the second the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from matcher.compile import CompiledRound, compile_round
from matcher.eligibility_details import failure_details
from matcher.errors import RoundError
from matcher.models import Pair, Round
from matcher.objective import SCORE_RESOLUTION, Objective
from solvers.registry import METHODS
from solvers.result import Result, SolveParams, Status


@dataclass(frozen=True)
class WhyNot:
    """The answer to "why is talent T not on package P?".

    Attributes
    ----------
    talent, package
        The pair asked about.
    failing_rules
        The eligibility rules the pair fails (empty if it is eligible).
    details
        Each failing rule's facts for this pair (:mod:`matcher.eligibility_details`).
    placed
        Whether the pair is in fact placed in the solution examined.
    base, forced
        Objectives without and with the pair pinned (None when not solved).
    forced_status
        How the re-solve with the pin ended.
    conflicts
        Constraint groups in conflict when the pin makes the round infeasible, or when the
        round itself has no solution.
    base_status
        How the solve without the pin ended, when it found no assignment: the round itself
        has none, whatever the pair.
    """

    talent: str
    package: str
    failing_rules: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    placed: bool = False
    base: Objective | None = None
    forced: Objective | None = None
    forced_status: Status | None = None
    conflicts: list[str] = field(default_factory=list)
    base_status: Status | None = None

    @property
    def eligible(self) -> bool:
        return not self.failing_rules

    def text(self) -> str:
        """The answer in one or two sentences."""
        pair = f"talent '{self.talent}' / package '{self.package}'"
        if self.failing_rules:
            reasons = "; ".join(f"{r}: {self.details[r]}" for r in self.failing_rules)
            return f"{pair} is not eligible: {reasons}"
        if self.placed:
            return f"{pair} is placed in this solution"
        if self.base_status is not None:
            groups = ", ".join(self.conflicts) or "no conflict named"
            return (
                f"{pair} is eligible, but the round itself has no solution, with or without "
                f"the pair ({self.base_status}; {groups})"
            )
        if self.forced is None or self.base is None:
            groups = ", ".join(self.conflicts) or "unknown constraints"
            return f"{pair} is eligible, but forcing it makes the round infeasible ({groups})"
        d_placed, d_score, d_penalty = self.change()
        return (
            f"{pair} is eligible; forcing it changes placements {d_placed:+d}, score "
            f"{d_score:+.3f}, penalties {d_penalty:+.3f} ({self.forced_status})"
        )

    def change(self) -> tuple[int, float, float]:
        """What forcing the pair changes: placements, the total score and the soft
        penalties (in score points), each apart; zeros when it was not solved."""
        if self.forced is None or self.base is None:
            return 0, 0.0, 0.0
        return (
            self.forced.placements - self.base.placements,
            (self.forced.score - self.base.score) / SCORE_RESOLUTION,
            (self.forced.penalty - self.base.penalty) / SCORE_RESOLUTION,
        )


def why_not(
    round_: Round,
    talent_id: str,
    package_id: str,
    *,
    base: Result | None = None,
    compiled: CompiledRound | None = None,
    method: str = "auto",
    params: SolveParams | None = None,
) -> WhyNot:
    """Explain why ``talent_id`` is not placed on ``package_id``.

    Parameters
    ----------
    round_
        The round.
    talent_id, package_id
        The pair.
    base
        A solution of ``round_`` to compare with; solved with ``method`` if not given.
    compiled
        ``round_`` compiled, if already at hand.
    method, params
        Solver and parameters for the solves.

    Raises
    ------
    RoundError
        If the talent or package does not exist.
    """
    params = params or SolveParams()
    # one deadline for the question: compiling and both solves
    deadline = params.timer()
    compiled = compiled or compile_round(round_)
    a = compiled.arrays
    if talent_id not in a.talent_ids:
        raise RoundError(f"unknown talent '{talent_id}'")
    if package_id not in a.package_ids:
        raise RoundError(f"unknown package '{package_id}'")
    t, p = a.talent_ids.index(talent_id), a.package_ids.index(package_id)
    failures = failure_details(a, t, p)
    if failures:
        return WhyNot(talent_id, package_id, failing_rules=list(failures), details=failures)
    # each solve of a reproducible run (one worker) plans its work on half the time limit
    half = replace(params, work_seconds=params.budget_seconds / 2)
    if base is None:
        base = METHODS[method](compiled, round_, half.with_deadline(deadline.portion(0.5)))
    if base.objective is None:
        # the round has no assignment to begin with: the pair is not to blame
        return WhyNot(
            talent_id, package_id, base_status=base.status, conflicts=list(base.conflicts)
        )
    if (talent_id, package_id) in base.pairs(compiled):
        return WhyNot(talent_id, package_id, placed=True, base=base.objective)
    pinned = round_.model_copy(
        update={"pins": [*round_.pins, Pair(talent=talent_id, package=package_id)]}
    )
    forced_round = compile_round(pinned)
    forced = METHODS[method](forced_round, pinned, half.with_deadline(deadline.portion()))
    # an assignment that breaks constraints (deferred acceptance) still answers
    solved = forced.objective is not None
    return WhyNot(
        talent_id,
        package_id,
        base=base.objective,
        forced=forced.objective if solved else None,
        forced_status=forced.status,
        conflicts=[] if solved else list(forced.conflicts),
    )
