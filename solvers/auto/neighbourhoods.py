"""The neighbourhood search of the portfolio (:func:`neighbourhood_search`, over
:mod:`solvers.lns`), trading solutions with the HiGHS companion while both run."""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from matcher.objective import Objective
from solvers.auto.options import AutoOptions
from solvers.auto.phases import join_companion
from solvers.backends.cpsat import solve_sub
from solvers.backends.highs_companion import HighsCompanion
from solvers.incumbent import (
    Incumbent,
    close_enough,
    incumbent_progress,
    on_whole,
    placements_proven,
)
from solvers.lagrange import combined
from solvers.lns import improve
from solvers.model.build import spec_hint
from solvers.problem import BoolArray, Int64Array, Problem
from solvers.result import SolveParams
from solvers.stop import Deadline
from solvers.work import WorkClock, work_of


def neighbourhood_search(
    problem: Problem,
    best: Incumbent,
    params: SolveParams,
    options: AutoOptions,
    deadline: Deadline,
    notes: list[str],
    space: tuple[Problem, Int64Array] | None = None,
    patience: float | None = None,
    companion: HighsCompanion | None = None,
    clock: WorkClock | None = None,
) -> None:
    """Improve the incumbent by large-neighbourhood search until the time limit, or until it
    is within the relative gap of the bound, or (with ``patience``) until that many seconds
    pass without an improvement; on ``space`` (a restricted problem holding the incumbent,
    and the original index of its edges) when given; trading solutions with ``companion``
    when given. With ``clock`` (a reproducible run) the search gets the work of the seconds
    left on it, and its patience counts work too."""
    assert best.chosen is not None
    if close_enough(best, params.relative_gap):
        return
    multiplier = best.multiplier

    reported = [combined(best.objective, multiplier) if best.objective else -math.inf]

    def stop(objective: Objective, chosen: BoolArray) -> bool:
        slack = best.bound - combined(objective, multiplier)
        if slack < 1 or slack <= params.relative_gap * max(1, abs(objective.value)):
            return True
        if params.progress is None and params.stop is None:
            return False
        # asked between neighbourhoods: each better assignment is reported, and a stop
        # criterion ends the deadline for every phase
        progress = incumbent_progress(best, objective, deadline, options.method)
        if params.progress is not None and combined(objective, multiplier) > reported[0]:
            reported[0] = combined(objective, multiplier)
            whole = chosen if index is None else on_whole(problem, index, chosen)
            params.progress(dataclasses.replace(progress, edges=np.flatnonzero(whole)))
        return params.should_stop(progress)

    lns_options = dataclasses.replace(options.search.lns, workers=params.workers)
    # a neighbourhood cannot place more than the whole problem: when the incumbent's
    # placements are proven the most possible, every sub-problem keeps exactly that many
    placements = best.objective.placements if best.objective and placements_proven(best) else None
    searched, index = space if space is not None else (problem, None)
    start = best.chosen if index is None else best.chosen[index]
    found = improve(
        searched,
        start,
        deadline.at(),
        functools.partial(
            solve_sub,
            placements=placements,
            subsolver=options.cpsat.subsolver,
            wall=None if clock is None else deadline.at(),
        ),
        seed=params.seed,
        options=lns_options,
        stop=stop,
        patience=patience if clock is None or patience is None else work_of(patience),
        work=None if clock is None else work_of(clock.remaining()),
        partner=None if companion is None else _CompanionPartner(companion, best, notes, index),
    )
    if clock is not None:
        clock.spend(found.work / work_of(1.0))
    chosen = found.chosen if index is None else on_whole(problem, index, found.chosen)
    best.offer(chosen, "neighbourhood search")
    improved = found.improvements
    notes.append(
        f"neighbourhood search: {improved} improvements in {found.iterations} neighbourhoods"
        f" ({found.screened} closed by their Lagrangian bound)"
    )
    if found.received:
        notes.append(f"neighbourhood search: {found.received} solutions taken from HiGHS")


class _CompanionPartner:
    """The HiGHS companion as the neighbourhood search's partner (see
    :class:`solvers.lns.Partner`), the search being on the edges ``index`` of the round
    (all of them when None)."""

    def __init__(
        self,
        companion: HighsCompanion,
        best: Incumbent,
        notes: list[str],
        index: Int64Array | None,
    ) -> None:
        self.companion = companion
        self.best = best
        self.notes = notes
        self.index = index

    def receive(self) -> BoolArray | None:
        found = self.companion.found()
        if found is None:
            if not self.companion.running():
                # HiGHS ended before its time: its answer and, where its bound holds, its
                # proof tighten the bound the search stops at
                join_companion(self.companion, self.best, self.notes)
            return None
        self.best.offer(found, "HiGHS beside CP-SAT")
        if self.index is None:
            return found
        outside = found.copy()
        outside[self.index] = False
        # a solution with edges outside the searched space stays in the incumbent only
        return None if outside.any() else found[self.index]

    def send(self, chosen: BoolArray) -> None:
        # the incumbent takes the search's best once the search ends
        problem = self.best.problem
        whole = chosen if self.index is None else on_whole(problem, self.index, chosen)
        self.companion.offer(spec_hint(problem, self.companion.spec, whole))
