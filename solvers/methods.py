"""Every way to solve a round, by name: the optimizers and the stable matchings.

The command line offers these names; each takes ``(compiled, round_, params)`` and returns
the shared :class:`~solvers.result.Result`.
"""

from __future__ import annotations

import dataclasses

from matcher.compile import CompiledRound
from matcher.models import Round
from solvers.deferred_acceptance import solve_deferred_acceptance
from solvers.result import Result, SolveParams
from solvers.solve import SOLVERS, Solver
from solvers.stable_cpsat import solve_stable_or_fewest_blocking


def solve_da_talents(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """Talent-proposing deferred acceptance (talent-optimal stable matching)."""
    return solve_deferred_acceptance(compiled, round_, params, proposing="talents")


def solve_da_packages(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """Package-proposing deferred acceptance (package-optimal stable matching)."""
    return solve_deferred_acceptance(compiled, round_, params, proposing="packages")


def solve_best_stable(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """The best-scored stable matching under budgets and pins; when none exists, the
    matching with the fewest blocking pairs, with a note saying so."""
    outcome = solve_stable_or_fewest_blocking(compiled, round_, params)
    if outcome.alternative is None:
        return outcome.result
    return dataclasses.replace(
        outcome.alternative,
        notes=[
            "no stable matching respects the budgets and pins "
            f"({', '.join(outcome.result.conflicts) or 'conflict not named'}); "
            "this is the matching with the fewest blocking pairs",
            *outcome.alternative.notes,
        ],
        conflicts=outcome.result.conflicts,
    )


METHODS: dict[str, Solver] = {
    **SOLVERS,
    "da": solve_da_talents,
    "da-packages": solve_da_packages,
    "stable": solve_best_stable,
}
"""Solve methods by name: ``auto``, ``cpsat``, ``flow``, ``greedy``, ``da``,
``da-packages`` and ``stable``."""
