"""Deferred acceptance (Gale-Shapley) with capacities, over the eligible edges of a round.

Talent-proposing DA gives the talent-optimal stable matching, package-proposing DA the
package-optimal one (which is talent-pessimal); both only use edges acceptable to both sides
(see :mod:`matcher.preferences`). Seats are respected and each talent gets at most one tour.

DA knows nothing of budgets, pins, accepted placements or fairness. Its Result is therefore
judged by the independent evaluator: the status is ``FEASIBLE`` only if the evaluator finds
no violation; otherwise it is ``UNKNOWN`` (the round may still be feasible, this matching is
not), the violations are listed in the notes and their constraint names in ``conflicts``.

The engine, :func:`propose`, runs rounds of proposals in bulk with numpy instead of one
proposal at a time:

* every proposer short of its quota proposes to its next receivers at once, and every
  receiver keeps its best ``capacity`` among holders and new proposers (one argsort over
  the touched receivers' seats and proposals);
* a receiver that is full only gets pickier, so a proposal it would reject now is rejected
  forever. Each proposer therefore scans ahead past receivers whose current cut-off rejects
  it, in a window that doubles while it keeps failing and halves when it succeeds. That
  collapses the long tails of rejections (talents nobody keeps walk their whole list) into
  a few rounds;
* once only a few proposers are active (the ends of rejection chains), a round costs more in
  numpy call overhead than it does work, and the run finishes one proposal at a time.

Skipping sure rejections and mixing bulk and single proposals do not change the outcome:
DA's result does not depend on the order in which proposals are made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.compile import CompiledRound
from matcher.evaluator import evaluate
from matcher.models import Round
from matcher.preferences import Preferences, ProposalLists, Side, build_preferences
from solvers.budget_repair import budget_breaches
from solvers.checks import objective_of, violated_groups
from solvers.problem import Problem, build_problem
from solvers.result import Result, SolveParams, Status
from solvers.stop import Deadline

Int64Array = npt.NDArray[np.int64]

DEFAULT_WINDOW = 4
"""List entries a proposer looks at per round before its window starts doubling."""
MAX_WINDOW = 1 << 12
MAX_VIOLATIONS_SHOWN = 10
BUDGET_CONSTRAINTS = ("host_budget", "topup_budget", "subsidy_pool")
"""The evaluator's names of the budget constraints."""
SEQUENTIAL_BELOW = 16
"""Below this many active proposers, a bulk round costs more than proposing one by one."""


def _ranges(starts: Int64Array, lengths: Int64Array) -> Int64Array:
    """Concatenation of ``arange(s, s + n)`` for each (s, n)."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, lengths)


@dataclass(eq=False)
class _Market:
    """The state of a deferred-acceptance run (see :func:`propose`).

    Each receiver's seats are a slice of the ``seat_*`` arrays, kept sorted by rank; an
    empty seat holds rank ``worst``, so the last seat is the cut-off: a proposal passes iff
    its rank is below it.
    """

    receiver: npt.NDArray[np.integer]
    rank: Int64Array
    end: Int64Array
    ptr: Int64Array
    quota: Int64Array
    held: Int64Array
    span: Int64Array
    capacity: Int64Array
    seat_start: Int64Array
    seat_rank: Int64Array
    seat_pos: Int64Array
    seat_owner: Int64Array
    cutoff: Int64Array
    worst: int
    window: int

    @classmethod
    def start(cls, lists: ProposalLists, window: int) -> _Market:
        rank = lists.receiver_rank.astype(np.int64)
        worst = int(rank.max(initial=-1)) + 1
        capacity = lists.capacity.astype(np.int64)
        seats = int(capacity.sum())
        return cls(
            receiver=lists.receiver,
            rank=rank,
            end=lists.start[1:],
            ptr=lists.start[:-1].copy(),
            quota=lists.quota.astype(np.int64),
            held=np.zeros(lists.n_proposers, dtype=np.int64),
            span=np.full(lists.n_proposers, window, dtype=np.int64),
            capacity=capacity,
            seat_start=np.cumsum(capacity) - capacity,
            seat_rank=np.full(seats, worst, dtype=np.int64),
            seat_pos=np.full(seats, -1, dtype=np.int64),
            seat_owner=np.full(seats, -1, dtype=np.int64),
            cutoff=np.where(capacity > 0, worst, -1).astype(np.int64),
            worst=worst,
            window=window,
        )

    def open(self, proposers: Int64Array) -> Int64Array:
        """The proposers below their quota with list entries left."""
        ok = (self.held[proposers] < self.quota[proposers]) & (
            self.ptr[proposers] < self.end[proposers]
        )
        return proposers[ok]

    def bulk_round(self, active: Int64Array) -> Int64Array:
        """One round of proposals by every active proposer; returns the evicted ones."""
        # 1. each active proposer scans its window for receivers that would take it now
        need = self.quota[active] - self.held[active]
        ptr = self.ptr[active]
        length = np.minimum(self.end[active] - ptr, np.maximum(need, self.span[active]))
        pos = _ranges(ptr, length)
        hits = np.flatnonzero(self.rank[pos] < self.cutoff[self.receiver[pos]])
        # the first `need` hits of each proposer's window are its proposals
        seg_end = np.cumsum(length)
        seg = np.searchsorted(seg_end, hits, side="right")
        found = np.bincount(seg, minlength=active.size)
        first_hit = np.cumsum(found) - found
        nth = np.arange(hits.size) - first_hit[seg]  # 0-based among the proposer's hits
        chosen = hits[nth < need[seg]]
        # advance past the last proposal, or past the whole window
        new_ptr = ptr + length
        last = nth == need[seg] - 1
        new_ptr[seg[last]] = pos[hits[last]] + 1
        self.ptr[active] = new_ptr
        # a proposer that had to look far will likely have to again: adapt its window
        span = self.span[active]
        self.span[active] = np.where(
            found < need, np.minimum(span * 2, MAX_WINDOW), np.maximum(span // 2, self.window)
        )
        new_pos = pos[chosen]
        if new_pos.size == 0:
            return np.zeros(0, dtype=np.int64)

        # 2. every touched receiver keeps its best `capacity` of holders and proposers
        new_owner = active[seg[nth < need[seg]]]
        new_recv = self.receiver[new_pos].astype(np.int64)
        touched = np.unique(new_recv)
        cap = self.capacity[touched]
        seats = _ranges(self.seat_start[touched], cap)
        n_old = seats.size
        local = np.concatenate(
            (np.repeat(np.arange(touched.size), cap), np.searchsorted(touched, new_recv))
        )
        cand_rank = np.concatenate((self.seat_rank[seats], self.rank[new_pos]))
        cand_pos = np.concatenate((self.seat_pos[seats], new_pos))
        cand_owner = np.concatenate((self.seat_owner[seats], new_owner))
        order = np.argsort(local * (self.worst + 1) + cand_rank, kind="stable")
        group = np.bincount(local, minlength=touched.size)
        within = np.arange(order.size) - np.repeat(np.cumsum(group) - group, group)
        keep = within < np.repeat(cap, group)
        kept = order[keep]
        self.seat_rank[seats] = cand_rank[kept]
        self.seat_pos[seats] = cand_pos[kept]
        self.seat_owner[seats] = cand_owner[kept]
        self.cutoff[touched] = self.seat_rank[self.seat_start[touched] + cap - 1]

        lost = order[~keep]
        evicted = cand_owner[lost[(lost < n_old) & (cand_rank[lost] < self.worst)]]
        np.add.at(self.held, cand_owner[kept[kept >= n_old]], 1)
        np.subtract.at(self.held, evicted, 1)
        return evicted

    def sequential(self, stack: list[int]) -> None:
        """Textbook DA from the current state, one proposal at a time: cheaper than a
        bulk round once only a few proposers are left (the tails of rejection chains)."""
        held, quota, ptr, end = self.held, self.quota, self.ptr, self.end
        seat_rank, seat_pos, seat_owner = self.seat_rank, self.seat_pos, self.seat_owner
        while stack:
            i = stack.pop()
            while held[i] < quota[i] and ptr[i] < end[i]:
                j = self._next_passing(i)
                if j < 0:
                    break
                r = int(self.receiver[j])
                first = int(self.seat_start[r])
                last = first + int(self.capacity[r]) - 1
                loser = int(seat_owner[last])
                at = first + int(np.searchsorted(seat_rank[first:last], self.rank[j]))
                # shift the worse seats down by one; numpy copies overlapping slices safely
                seat_rank[at + 1 : last + 1] = seat_rank[at:last]
                seat_pos[at + 1 : last + 1] = seat_pos[at:last]
                seat_owner[at + 1 : last + 1] = seat_owner[at:last]
                seat_rank[at], seat_pos[at], seat_owner[at] = self.rank[j], j, i
                self.cutoff[r] = seat_rank[last]
                held[i] += 1
                if loser >= 0:
                    held[loser] -= 1
                    stack.append(loser)

    def _next_passing(self, i: int) -> int:
        """Position of proposer ``i``'s next entry whose receiver would take it now (the
        entries skipped would be rejected), or -1 when its list runs out."""
        pos, stop, width = int(self.ptr[i]), int(self.end[i]), self.window
        while pos < stop:
            upto = min(stop, pos + width)
            hits = np.flatnonzero(self.rank[pos:upto] < self.cutoff[self.receiver[pos:upto]])
            if hits.size:
                self.ptr[i] = pos + int(hits[0]) + 1
                return pos + int(hits[0])
            pos, width = upto, min(width * 2, MAX_WINDOW)
        self.ptr[i] = stop
        return -1


def propose(
    lists: ProposalLists,
    *,
    window: int = DEFAULT_WINDOW,
    sequential_below: int = SEQUENTIAL_BELOW,
) -> Int64Array:
    """Run deferred acceptance on proposal lists; proposers get their optimal stable match.

    Parameters
    ----------
    lists
        Proposers' lists (best first), receivers' ranks of them, quotas and capacities.
    window
        List entries each proposer examines per round at first (at least its open quota).
    sequential_below
        Switch from bulk rounds to one proposal at a time once fewer proposers are active
        (0: bulk rounds only). The outcome is the same; only the speed differs.

    Returns
    -------
    numpy.ndarray
        Sorted flat list positions (into ``lists.receiver``) of the accepted proposals.
    """
    if window < 1:
        raise ValueError("window < 1 not understood.")
    market = _Market.start(lists, window)
    active = market.open(np.arange(lists.n_proposers, dtype=np.int64))
    while active.size and active.size >= sequential_below:
        evicted = market.bulk_round(active)
        active = market.open(np.union1d(active, evicted))
    market.sequential(active.tolist())
    return np.sort(market.seat_pos[market.seat_pos >= 0])


def deferred_acceptance(preferences: Preferences, side: Side = "talents") -> Int64Array:
    """The stable matching that is optimal for the proposing ``side``, as sorted edges.

    Parameters
    ----------
    preferences
        Both sides' preferences over the edges.
    side
        ``"talents"`` (talent-optimal) or ``"packages"`` (package-optimal).
    """
    lists, edges = preferences.proposals(side)
    return np.sort(edges[propose(lists)])


def judged_result(
    solver: str,
    problem: Problem,
    edges: Int64Array,
    deadline: Deadline,
    notes: list[str],
) -> Result:
    """A Result for a matching built without some of the round's constraints: ``FEASIBLE``
    if the evaluator finds no violation, else ``UNKNOWN`` with the violations noted."""
    compiled, round_ = problem.compiled, problem.round
    evaluation = evaluate(round_, compiled, _pairs(compiled, edges))
    notes = list(notes)
    violations = evaluation.violations
    breaches = budget_breaches(problem, edges) if violations else []
    if breaches:
        shown = "; ".join(str(b) for b in breaches[:MAX_VIOLATIONS_SHOWN])
        more = len(breaches) - MAX_VIOLATIONS_SHOWN
        notes.append(
            f"breaks {len(breaches)} budget(s): {shown}"
            + (f"; and {more} more" if more > 0 else "")
        )
    # the budgets are named above with what they are over by; the rest here
    rest = [v for v in violations if not breaches or v.constraint not in BUDGET_CONSTRAINTS]
    if rest:
        shown = "; ".join(str(v) for v in rest[:MAX_VIOLATIONS_SHOWN])
        more = len(rest) - MAX_VIOLATIONS_SHOWN
        notes.append(
            f"the evaluator found {len(rest)} {'other ' if breaches else ''}violation(s): {shown}"
            + (f"; and {more} more" if more > 0 else "")
        )
    return Result(
        solver=solver,
        status=Status.FEASIBLE if evaluation.feasible else Status.UNKNOWN,
        edges=edges,
        objective=objective_of(problem, edges),
        bound=None,
        wall_time=deadline.elapsed(),
        deterministic=True,
        notes=notes,
        conflicts=violated_groups(problem, edges) if evaluation.violations else [],
    )


def _pairs(compiled: CompiledRound, edges: Int64Array) -> list[tuple[str, str]]:
    a = compiled.arrays
    t, p = compiled.talent[edges].tolist(), compiled.package[edges].tolist()
    return [(a.talent_ids[i], a.package_ids[j]) for i, j in zip(t, p, strict=True)]


def solve_deferred_acceptance(
    compiled: CompiledRound,
    round_: Round,
    params: SolveParams | None = None,
    *,
    proposing: Side = "talents",
    preferences: Preferences | None = None,
    check: bool = True,
) -> Result:
    """Stable matching by deferred acceptance, as a solver Result.

    Parameters
    ----------
    compiled
        The compiled round.
    round_
        The round it was compiled from (for the objective and the evaluator).
    params
        Accepted for the common solver signature; DA is deterministic and needs none.
    proposing
        ``"talents"`` (talent-optimal, the default) or ``"packages"`` (package-optimal).
    preferences
        Preferences over ``compiled``'s edges; built with
        :func:`~matcher.preferences.build_preferences` when omitted.
    check
        Run the evaluator to set the status (see the module docstring). Without it the
        status is ``UNKNOWN``: the evaluator is plain Python, slow on very large rounds.

    Returns
    -------
    Result
        ``FEASIBLE`` if the evaluator finds no violation, else ``UNKNOWN`` with the
        violations in the notes and the broken constraint groups in ``conflicts``.
    """
    # DA needs no time limit; the deadline only times it
    deadline = (params or SolveParams()).timer()
    prefs = build_preferences(compiled) if preferences is None else preferences
    if prefs.n_edges != compiled.n_edges:
        raise ValueError("preferences must be over the compiled round's edges.")
    edges = deferred_acceptance(prefs, proposing)
    solver = f"deferred_acceptance({proposing})"
    notes = [
        f"{proposing}-proposing deferred acceptance: the {proposing[:-1]}-optimal stable "
        "matching; budgets, pins, accepted placements, fairness and outcome floors are not modelled"
    ]
    if round_.policy.max_tours_per_talent > 1:
        notes.append("each talent gets at most one tour (stable matching is one-to-many)")
    problem = build_problem(compiled, round_)
    if check:
        return judged_result(solver, problem, edges, deadline, notes)
    return Result(
        solver=solver,
        status=Status.UNKNOWN,
        edges=edges,
        objective=objective_of(problem, edges),
        bound=None,
        wall_time=deadline.elapsed(),
        deterministic=True,
        notes=[*notes, "not checked by the evaluator"],
    )


__all__ = [
    "DEFAULT_WINDOW",
    "deferred_acceptance",
    "judged_result",
    "propose",
    "solve_deferred_acceptance",
]
