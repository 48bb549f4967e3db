"""The phases of the portfolio before and beside the CP-SAT search: the linear relaxation
(:func:`lp_phase`), HiGHS on small models (:func:`highs_phase`) and the HiGHS companion in a
process of its own (:class:`CompanionSlot`)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable

import numpy as np

from solvers.auto.options import AutoOptions
from solvers.backends.cpsat import solve_sub
from solvers.backends.highs import HighsRun, run_highs
from solvers.backends.highs_companion import HighsCompanion
from solvers.greedy import greedy_assign
from solvers.incumbent import Incumbent, on_whole, placements_proven
from solvers.lagrange import LagrangeResult
from solvers.lp_relaxation import lp_relaxation
from solvers.model.build import fix_placements
from solvers.model.spec import ModelSpec
from solvers.problem import Problem, restrict
from solvers.result import SolveParams
from solvers.work import HIGHS_TIME_CAP, WorkClock, highs_nodes

COMPANION_MARGIN = 1.5
"""Seconds before the time limit at which the HiGHS companion stops: its process must
answer and the result be built in time."""
HIGHS_MIN_SECONDS = 1.0
"""Shortest HiGHS phase worth starting: shorter ones cost small rounds their proofs (see
``docs/solver-options.md``)."""
SUPPORT_TOLERANCE = 1e-6
"""An edge whose value in the linear relaxation exceeds this is in its support."""


def uses_lp(problem: Problem, options: AutoOptions) -> bool:
    """Whether the linear relaxation replaces the Lagrangian phase on ``problem``."""
    return (
        options.relax.lagrangian
        and not problem.lexicographic
        and options.relax.lp_min_edges is not None
        and options.relax.lp_min_edges <= problem.n_edges <= options.relax.lp_max_edges
    )


class CompanionSlot:
    """The HiGHS companion of one solve: HiGHS on the whole model in its own process,
    until shortly before the time limit, on models of ``options.highs.max_vars`` to
    ``options.highs.companion_max_vars`` variables with two workers or more, an incumbent and at
    least ``options.highs.companion_min_seconds`` left.

    It starts once, as soon as its model is settled (:meth:`start`), from no solution of
    ours: the incumbent reaches it through the trade with the neighbourhood search (HiGHS's
    own root heuristics did better than our start: see ``docs/solver-options.md``).
    """

    def __init__(
        self,
        problem: Problem,
        spec: ModelSpec,
        best: Incumbent,
        options: AutoOptions,
        params: SolveParams,
        remaining: Callable[[], float],
        notes: list[str],
    ) -> None:
        self.problem = problem
        self.spec = spec
        self.best = best
        self.options = options
        self._params = params
        self.remaining = remaining
        self.notes = notes
        self.companion: HighsCompanion | None = None
        self.wanted = (
            options.highs.max_vars < spec.n_vars <= options.highs.companion_max_vars
            and params.workers >= 2
        )

    def start(self, final: bool) -> None:
        """Start the companion when it is wanted and not started yet, there is an
        incumbent and enough time, and its model is settled (:func:`_highs_model_settled`)
        or this is the ``final`` chance."""
        left = self.remaining() - COMPANION_MARGIN
        if (
            not self.wanted
            or self.best.chosen is None
            or left < self.options.highs.companion_min_seconds
            or not (final or _highs_model_settled(self.problem, self.best))
        ):
            return
        self.wanted = False
        self.notes.append(f"HiGHS searched beside CP-SAT, on one of the cores, for {left:.1f} s")
        model, bound_holds = highs_model(self.problem, self.spec, self.best)
        self.companion = HighsCompanion(model, None, left, self._params.relative_gap, bound_holds)

    def params(self) -> SolveParams:
        """The solve's parameters, with one worker less while the companion runs (the
        other core is HiGHS's until the end)."""
        if self.companion is None:
            return self._params
        return dataclasses.replace(self._params, workers=max(1, self._params.workers - 1))

    def search_options(self) -> AutoOptions:
        """The solve's options, with one neighbourhood-search worker while the companion
        runs."""
        if self.companion is None:
            return self.options
        lns = dataclasses.replace(self.options.search.lns, workers=1)
        return dataclasses.replace(
            self.options, search=dataclasses.replace(self.options.search, lns=lns)
        )

    def close(self) -> None:
        """End the companion's process, running or not."""
        if self.companion is not None:
            self.companion.close()


def _highs_model_settled(problem: Problem, best: Incumbent) -> bool:
    """Whether :func:`highs_model` gives its final model already: on weighted rounds, or
    once the placements are proven (no better incumbent or bound changes the model then)."""
    return not problem.lexicographic or best.multiplier <= 1 or placements_proven(best)


def join_companion(companion: HighsCompanion | None, best: Incumbent, notes: list[str]) -> None:
    """The companion's assignment joins the incumbent, and its bound the bound when it
    holds for the round (see :func:`highs_model`)."""
    if companion is None or companion.collected:
        return
    run = companion.collect()
    if run is None:
        notes.append("HiGHS beside CP-SAT: no answer")
        return
    _take_highs_run(run, best, companion.bound_holds, "HiGHS beside CP-SAT")
    notes.append(f"HiGHS beside CP-SAT: {run.message}")


def lp_phase(
    problem: Problem,
    spec: ModelSpec,
    best: Incumbent,
    options: AutoOptions,
    params: SolveParams,
    remaining: Callable[[], float],
    notes: list[str],
) -> LagrangeResult | None:
    """The linear relaxation (:mod:`solvers.lp_relaxation`) for ``options.relax.lp_share`` of the
    time left: its bound joins the incumbent's; a greedy pass in the order of its values,
    then CP-SAT on its support and the incumbent's edges (``options.relax.lp_support_share`` of
    the time then left), give starts. Its duals are Lagrange multipliers of every row but
    the talents' tours: the result prices the edges as the Lagrangian phase does (None when
    no program was solved in time)."""
    relaxation = lp_relaxation(problem, spec, options.relax.lp_share * remaining(), best.chosen)
    if relaxation is None:
        notes.append("linear relaxation: no program solved in time")
        return None
    best.tighten(relaxation.bound)
    # the edges the relaxation takes whole first, then by its values, then by priced weight
    order = np.lexsort((-relaxation.priced_weight, -relaxation.x)).astype(np.int64)
    best.offer(greedy_assign(problem, order)[0], "greedy after the linear relaxation")
    notes.append(
        f"linear relaxation: {relaxation.solves} programs, {relaxation.columns} columns, "
        f"value {relaxation.value:.0f}"
        + ("" if relaxation.complete else " (edges of positive reduced cost left out)")
    )
    start = best.chosen if best.chosen is not None else np.zeros(problem.n_edges, dtype=bool)
    sub, index = restrict(problem, (relaxation.x > SUPPORT_TOLERANCE) | start)
    solved = solve_sub(
        sub,
        start[index],
        options.relax.lp_support_share * remaining(),
        params.seed,
        params.workers,
        subsolver=options.cpsat.subsolver,
    )
    if solved is not None:
        best.offer(on_whole(problem, index, solved[0]), "CP-SAT on the linear relaxation's support")
    return LagrangeResult(
        bound=relaxation.bound,
        chosen=best.chosen,
        objective=best.objective,
        iterations=relaxation.solves,
        priced_weight=relaxation.priced_weight,
        credit=relaxation.credit,
    )


def highs_phase(
    problem: Problem,
    spec: ModelSpec,
    best: Incumbent,
    seconds: float,
    params: SolveParams,
    notes: list[str],
    clock: WorkClock | None = None,
) -> None:
    """HiGHS's MIP solver on the whole model for ``seconds``: its assignment goes to the
    incumbent (and becomes CP-SAT's hint), its dual bound to the bound when it holds (see
    :func:`highs_model`). With ``clock`` (a reproducible run) the seconds become a node
    limit (:func:`solvers.work.highs_nodes`), the time limit at most
    :data:`~solvers.work.HIGHS_TIME_CAP` times them only the safety net."""
    if seconds < HIGHS_MIN_SECONDS:
        return
    model, bound_holds = highs_model(problem, spec, best)
    if clock is None:
        run = run_highs(model, seconds, params.relative_gap)
    else:
        limit = min(clock.wall.remaining(), HIGHS_TIME_CAP * seconds)
        run = run_highs(model, limit, params.relative_gap, node_limit=highs_nodes(seconds))
        clock.spend(seconds)
        if "time limit" in run.message.lower():
            clock.cut()
    _take_highs_run(run, best, bound_holds, "HiGHS")
    # SciPy does not know the status of a node limit (HiGHS's "solution limit")
    message = "node limit reached" if "Status 16" in run.message else run.message
    notes.append(f"HiGHS phase: {message}")


def highs_model(problem: Problem, spec: ModelSpec, best: Incumbent) -> tuple[ModelSpec, bool]:
    """The model to give HiGHS, and whether its bound holds for the round.

    When the incumbent makes as many placements as any assignment can, HiGHS gets a copy
    with that count required and the secondary term alone as objective
    (:func:`~solvers.model.build.fix_placements`): on GAP rounds its relaxation is then the
    usual one (each job exactly once), where with ``M`` in the objective HiGHS stayed far
    behind (see ``docs/solver-options.md``). Otherwise a lexicographic objective weighs each
    placement by ``M``, where HiGHS's float tolerances may exceed the one unit a proof needs:
    its bound then counts for weighted objectives only. Its assignments are checked like any
    other.
    """
    if best.objective is not None and placements_proven(best):
        fixed = copy.deepcopy(spec)
        fix_placements(fixed, problem, best.objective.placements)
        return fixed, True
    return spec, spec.multiplier == 1


def _take_highs_run(run: HighsRun, best: Incumbent, bound_holds: bool, source: str) -> None:
    """A HiGHS run's assignment joins the incumbent as ``source``; its bound joins the bound
    when ``bound_holds`` (see :func:`highs_model`)."""
    best.offer(run.chosen, source)
    if bound_holds:
        best.tighten(run.bound)
