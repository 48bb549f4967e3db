"""One entry point for every optimization solver, chosen by name.

``auto`` is the default path: seat-only rounds go to the exact min-cost flow, everything
else to CP-SAT after the relaxations and heuristics of :mod:`solvers.cpsat`. ``cpsat`` is
the CP-SAT model alone (no flow shortcut, no Lagrangian phase, no neighbourhood search), for
comparisons; ``highs`` is HiGHS's MIP solver on the same model, the peer benchmarks measure
against.
"""

from __future__ import annotations

from collections.abc import Callable

from matcher.compile import CompiledRound
from matcher.models import Round
from solvers.cpsat import CpSatOptions, solve_cpsat
from solvers.flow import solve_flow
from solvers.greedy import solve_greedy
from solvers.highs import solve_highs
from solvers.result import Result, SolveParams

Solver = Callable[[CompiledRound, Round, SolveParams | None], Result]


def solve_cpsat_plain(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """CP-SAT alone, as its defaults run it: no seat-only shortcut, no Lagrangian phase,
    no neighbourhood search, no HiGHS phase, CP-SAT's own choice of search."""
    options = CpSatOptions(
        use_flow=False, lagrangian=False, lns=False, search_subsolver=None, highs_share=0.0
    )
    return solve_cpsat(compiled, round_, params, options)


SOLVERS: dict[str, Solver] = {
    "auto": solve_cpsat,
    "cpsat": solve_cpsat_plain,
    "flow": solve_flow,
    "greedy": solve_greedy,
    "highs": solve_highs,
}
"""Solvers by name; the CLI reuses the keys for its ``choices=``."""


def solve(
    compiled: CompiledRound,
    round_: Round,
    method: str = "auto",
    params: SolveParams | None = None,
) -> Result:
    """Solve ``round_`` with the solver named ``method``.

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round.
    method
        A key of :data:`SOLVERS`: ``auto`` (min-cost flow on seat-only rounds, else
        CP-SAT with relaxations), ``cpsat`` (the CP-SAT model alone), ``flow`` (seat-only
        rounds only), ``greedy`` or ``highs`` (HiGHS on the same model).
    params
        Solve parameters.

    Raises
    ------
    ValueError
        If ``method`` is unknown, or ``flow`` is asked for a round that is not seat-only.
    """
    if method not in SOLVERS:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(SOLVERS)}")
    return SOLVERS[method](compiled, round_, params)
