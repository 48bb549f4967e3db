"""Every way to solve a round, by name: one entry point for the optimizers and the stable
matchings.

``auto`` is the default path: seat-only rounds go to the exact min-cost flow, everything
else to the portfolio of :mod:`solvers.auto` (relaxations, heuristics, HiGHS and CP-SAT
with neighbourhood search). ``cpsat`` is the CP-SAT model alone (no flow shortcut, no
Lagrangian phase, no neighbourhood search), for comparisons; ``highs`` is HiGHS's MIP
solver on the same model, the peer benchmarks measure against. The command line offers
these names; each takes ``(compiled, round_, params)`` and returns the shared
:class:`~solvers.result.Result`, whose ``solver`` is the method's name (``flow`` for a
seat-only round under ``auto``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import NoReturn

from matcher.compile import CompiledRound
from matcher.models import Round
from solvers.auto.options import (
    AutoOptions,
    CpSatOptions,
    HighsOptions,
    RelaxationOptions,
    SearchOptions,
)
from solvers.auto.solve import solve_auto
from solvers.backends.highs import solve_highs
from solvers.da_budgets import solve_da_within_budgets
from solvers.decompose.options import DecomposeOptions
from solvers.decompose.solve import solve_decomposed
from solvers.deferred_acceptance import solve_deferred_acceptance
from solvers.flow import solve_flow
from solvers.forced_reduction import open_edges
from solvers.greedy import solve_greedy
from solvers.result import Result, SolveParams
from solvers.stable_method import solve_stable_or_fewest_blocking

Solver = Callable[[CompiledRound, Round, SolveParams | None], Result]


PLAIN_CPSAT = AutoOptions(
    relax=RelaxationOptions(use_flow=False, lagrangian=False),
    highs=HighsOptions(share=0.0),
    cpsat=CpSatOptions(subsolver=None),
    search=SearchOptions(enabled=False),
    method="cpsat",
)
"""The portfolio's options that leave CP-SAT alone, as its defaults run it: no seat-only
shortcut, no Lagrangian phase, no neighbourhood search, no HiGHS phase, CP-SAT's own choice
of search."""


def solve_cpsat_plain(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """CP-SAT alone (:data:`PLAIN_CPSAT`): the ``cpsat`` method."""
    options = PLAIN_CPSAT
    return solve_auto(compiled, round_, params, options)


def solve_auto_or_decomposed(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """``auto``: the portfolio (:func:`solve_auto`), or decomposition
    (:func:`~solvers.decompose.solve.solve_decomposed`) for rounds of more than
    :attr:`DecomposeOptions.auto_above` candidate edges, not counting those the pinned and
    accepted placements close (a re-solve that holds its offers is a small problem)."""
    if open_edges(compiled) > DecomposeOptions().auto_above:
        return solve_decomposed(compiled, round_, params)
    return solve_auto(compiled, round_, params)


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


def solve_da_talents_within_budgets(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """Talent-proposing deferred acceptance within the budgets (``--respect-budgets``): the
    lowest-scored placements of each budget it breaks taken out, and run again."""
    return solve_da_within_budgets(compiled, round_, params, proposing="talents")


def solve_da_packages_within_budgets(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """Package-proposing deferred acceptance within the budgets, the same way."""
    return solve_da_within_budgets(compiled, round_, params, proposing="packages")


def solve_best_stable(
    compiled: CompiledRound, round_: Round, params: SolveParams | None = None
) -> Result:
    """The best-scored stable matching under budgets and pins; when none is found, the
    matching with the fewest blocking pairs found, or a feasible start with fewer (its first
    note says which), with the stable model's conflicts when it proved there is none."""
    outcome = solve_stable_or_fewest_blocking(compiled, round_, params)
    alternative = outcome.alternative
    if alternative is None:
        return outcome.result
    if not alternative.status.has_solution:
        return dataclasses.replace(
            alternative, conflicts=alternative.conflicts or outcome.result.conflicts
        )
    return dataclasses.replace(alternative, conflicts=outcome.result.conflicts)


METHODS: dict[str, Solver] = {
    "auto": solve_auto_or_decomposed,
    "cpsat": solve_cpsat_plain,
    "flow": solve_flow,
    "greedy": solve_greedy,
    "highs": solve_highs,
    "decompose": solve_decomposed,
    "da": solve_da_talents,
    "da-packages": solve_da_packages,
    "stable": solve_best_stable,
    "da+budgets": solve_da_talents_within_budgets,
    "da-packages+budgets": solve_da_packages_within_budgets,
}
"""Solve methods by name: ``auto``, ``cpsat``, ``flow``, ``greedy``, ``highs``, ``decompose``
(national rounds split into parts solved in parallel, :mod:`solvers.decompose`), ``da``,
``da-packages`` and ``stable``, and the variants of deferred acceptance fitted into the
budgets, ``da+budgets`` and ``da-packages+budgets`` (the CLI's ``--respect-budgets``)."""

BUDGET_VARIANT = "+budgets"
"""Suffix of the method variants fitted into the budgets."""
BUDGETS_HELP = (
    "with da / da-packages: take the lowest-scored placements of each budget the stable "
    "matching breaks out of the market until it fits (the notes count the blocking pairs)"
)
"""The command line's help on ``--respect-budgets``."""


def within_budgets(method: str, refuse: Callable[[str], NoReturn]) -> str:
    """The variant of ``method`` fitted into the budgets; ``refuse`` is called with the
    reason when it has none (only deferred acceptance has)."""
    if method + BUDGET_VARIANT not in METHODS:
        refuse("--respect-budgets applies to --method da and da-packages only")
    return method + BUDGET_VARIANT


def solve(
    compiled: CompiledRound,
    round_: Round,
    method: str = "auto",
    params: SolveParams | None = None,
) -> Result:
    """Solve ``round_`` with the method named ``method``.

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round.
    method
        A key of :data:`METHODS`: ``auto`` (min-cost flow on seat-only rounds, else the
        portfolio), ``cpsat`` (the CP-SAT model alone), ``flow`` (seat-only rounds only),
        ``greedy``, ``highs`` (HiGHS on the same model), ``da`` and ``da-packages``
        (deferred acceptance, talents or packages proposing) or ``stable`` (the best stable
        matching).
    params
        Solve parameters.

    Raises
    ------
    ValueError
        If ``method`` is unknown, or ``flow`` is asked for a round that is not seat-only.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    return METHODS[method](compiled, round_, params)
