"""The CP-SAT model of the stable matchings under budgets and pins (:mod:`solvers.stable_cpsat`).

:func:`build_model` keeps the edges acceptable to both sides (and the forced ones) and
constrains seats per package and one tour per talent; the budgets and the pool (in the
integer units of :mod:`solvers.problem`), pins, accepted placements and stability each sit
behind an enforcement literal, so that CP-SAT can name the groups of a conflict.

Stability, for every edge ``(t, p)`` acceptable to both, is the standard condition

    seats_p * (x[t, p] + sum of x[t, p'] over p' that t prefers to p)
        + sum of x[t', p] over t' that p prefers to t  >=  seats_p,

i.e. t is placed at p or somewhere it likes better, or p is full with talents it prefers.
Both sums are prefix sums along a preference list, so they are chained through one
auxiliary variable per edge and side, which keeps the model linear in the number of edges.
The default ``"clause"`` encoding states the same condition as a clause over two Booleans,
"t has p or better" and "p is full with better talents", which CP-SAT propagates better than
the big coefficients of the ``"linear"`` form; both are kept, and tested to agree. With
``soft`` stability, each condition gets a slack Boolean (a pair that may block).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matcher.preferences import Preferences
from solvers.checks import ACCEPTED, PINS, SUBSIDY_POOL, host_budget_group, topup_budget_group
from solvers.problem import Problem
from solvers.units import NO_LIMIT

Int64Array = npt.NDArray[np.int64]
StableObjective = Literal["score", "egalitarian", "minimax"]
Encoding = Literal["clause", "linear"]
OBJECTIVES: tuple[StableObjective, ...] = ("score", "egalitarian", "minimax")
STABILITY = "stability"
"""Name of the stability constraints in ``conflicts``."""


@dataclass
class StableModel:
    """A stable-matching model and the handles needed to read and explain its solution."""

    model: cp_model.CpModel
    edges: Int64Array  # compiled edge of each x variable
    x: list[Any]
    # constraint group name -> enforcement literal, assumed true: a core names a conflict
    groups: dict[str, Any] = field(default_factory=dict)
    slacks: list[Any] = field(default_factory=list)
    objective: Any = 0
    placement_weight: int = 0
    # the auxiliary variables of stability, by edge, so that a matching hints them all
    chains: dict[str, dict[int, Any]] = field(default_factory=dict)

    def hint(self, prefs: Preferences, edges: Int64Array) -> None:
        """Hint the matching ``edges`` (compiled edges) with every variable of stability
        that follows from it, so that CP-SAT starts from it at once."""
        chosen = np.isin(self.edges, edges)
        for var, value in zip(self.x, chosen.tolist(), strict=True):
            self.model.add_hint(var, value)
        for literal in self.groups.values():
            self.model.add_hint(literal, True)
        placed = np.zeros(prefs.n_edges, dtype=bool)
        placed[edges] = True
        at, full, slack, count = (self.chains.get(k, {}) for k in ("a", "f", "s", "c"))
        at_least = np.zeros(prefs.n_edges, dtype=bool)
        for t in range(prefs.n_talents):
            order = prefs.talent_list(t)
            at_least[order] = np.logical_or.accumulate(placed[order])
        for e, var in at.items():
            self.model.add_hint(var, bool(at_least[e]))
        for p in range(prefs.n_packages):
            seats, better, is_full = int(prefs.seats[p]), 0, False
            for e in prefs.package_list(p).tolist():
                if e in full:
                    is_full = better >= seats
                    self.model.add_hint(full[e], is_full)
                if e in slack:
                    # the clause or the linear form: t has p or better, or p is full
                    blocks = not (at_least[e] or is_full or better >= seats)
                    self.model.add_hint(slack[e], blocks)
                better += int(placed[e])
                self.model.add_hint(count[e], better)

    def group(self, name: str) -> Any:
        if name not in self.groups:
            self.groups[name] = self.model.new_bool_var(name)
        return self.groups[name]


def build_model(
    problem: Problem,
    prefs: Preferences,
    objective: StableObjective,
    soft: bool,
    encoding: Encoding,
) -> StableModel:
    """The model of the stable matchings of ``prefs`` best by ``objective``; with ``soft``,
    each stability condition has a slack Boolean instead of the enforcement literal."""
    # only edges acceptable to both sides can be part of a stable matching; forced edges
    # (pins, accepted placements) are kept whatever the preferences say
    in_model = prefs.acceptable | problem.forced
    edges = np.flatnonzero(in_model).astype(np.int64)
    var_of = np.full(problem.n_edges, -1, dtype=np.int64)
    var_of[edges] = np.arange(edges.size)

    model = cp_model.CpModel()
    # x[i] = 1 if the talent of edge edges[i] is placed on its package
    x = [model.new_bool_var(f"x{e}") for e in edges.tolist()]
    built = StableModel(model, edges, x)

    for members in _groups(problem.talent[edges]):
        if members.size > 1:
            model.add_at_most_one(x[i] for i in members.tolist())
    for members in _groups(problem.package[edges]):
        seats = int(problem.seats[problem.package[edges[members[0]]]])
        if members.size > seats:
            model.add(cp_model.LinearExpr.sum([x[i] for i in members.tolist()]) <= seats)
    for i in np.flatnonzero(problem.dead[edges] & ~problem.forced[edges]).tolist():
        model.add(x[i] == 0)  # cannot be placed even alone (a budget or FTE too small)

    org_ids = problem.compiled.arrays.org_ids
    for amount, org, budget, name in (
        (problem.fee, problem.host, problem.host_budget, host_budget_group),
        (problem.topup, problem.lender, problem.lender_budget, topup_budget_group),
    ):
        for members in _groups(org[edges]):
            o = int(org[edges[members[0]]])
            coefs = amount[edges[members]]
            if budget[o] == NO_LIMIT or int(coefs.sum()) <= budget[o]:
                continue  # cannot bind
            terms = [x[i] for i in members.tolist()]
            model.add(
                cp_model.LinearExpr.weighted_sum(terms, coefs.tolist()) <= int(budget[o])
            ).only_enforce_if(built.group(name(org_ids[o])))
    if problem.pool != NO_LIMIT and int(problem.subsidy[edges].sum()) > problem.pool:
        model.add(
            cp_model.LinearExpr.weighted_sum(x, problem.subsidy[edges].tolist()) <= problem.pool
        ).only_enforce_if(built.group(SUBSIDY_POOL))
    for group, fixed in ((PINS, problem.pins), (ACCEPTED, problem.accepted)):
        for e in np.unique(fixed).tolist():
            model.add(x[var_of[e]] == 1).only_enforce_if(built.group(group))

    _add_stability(prefs, var_of, built, soft, encoding)
    _add_objective(problem, prefs, objective, built)
    # the groups are always on; as assumptions they let CP-SAT name a conflict
    model.add_assumptions(list(built.groups.values()))
    return built


def _groups(owner: npt.NDArray[np.integer]) -> list[Int64Array]:
    """Positions grouped by equal ``owner`` value."""
    if owner.size == 0:
        return []
    order = np.argsort(owner, kind="stable")
    cuts = np.flatnonzero(np.diff(owner[order])) + 1
    return [g.astype(np.int64) for g in np.split(order, cuts)]


def _add_stability(
    prefs: Preferences, var_of: Int64Array, built: StableModel, soft: bool, encoding: Encoding
) -> None:
    model, x = built.model, built.x
    # at_least[e] = 1 if the talent of e is placed at e's package or one it prefers
    at_least: dict[int, Any] = {}
    for t in range(prefs.n_talents):
        previous = None
        for e in prefs.talent_list(t).tolist():
            if previous is None:
                current = x[var_of[e]]
            else:
                current = model.new_bool_var(f"a{e}")
                model.add(current == previous + x[var_of[e]])
                built.chains.setdefault("a", {})[e] = current
            at_least[e] = current
            previous = current
    enforce = None if soft else built.group(STABILITY)
    for p in range(prefs.n_packages):
        seats = int(prefs.seats[p])
        # better = number of talents placed at p that p prefers to the current one
        better: Any = 0
        full: Any = None
        for k, e in enumerate(prefs.package_list(p).tolist()):
            slack = None
            if soft:
                # slack[e] = 1 if (t, p) may block; their number is minimized
                slack = model.new_bool_var(f"s{e}")
                built.slacks.append(slack)
                built.chains.setdefault("s", {})[e] = slack
            if encoding == "linear":
                lhs = seats * at_least[e] + better
                if slack is not None:
                    model.add(lhs + seats * slack >= seats)
                else:
                    model.add(lhs >= seats).only_enforce_if(enforce)
            else:
                # full[e] = 1 if p is full with talents it prefers to e's talent; it needs
                # `seats` talents ranked above, so it cannot hold before the list's k-th
                if k >= seats:
                    now_full = model.new_bool_var(f"f{e}")
                    built.chains.setdefault("f", {})[e] = now_full
                    model.add(better >= seats).only_enforce_if(now_full)
                    model.add(better <= seats - 1).only_enforce_if(~now_full)
                    if full is not None:
                        model.add_implication(full, now_full)
                    full = now_full
                clause = [at_least[e]] if full is None else [at_least[e], full]
                if slack is not None:
                    model.add_bool_or([*clause, slack])
                else:
                    model.add_bool_or(clause).only_enforce_if(enforce)
            count = model.new_int_var(0, min(k + 1, seats), f"c{e}")
            built.chains.setdefault("c", {})[e] = count
            model.add(count == better + x[var_of[e]])
            better = count


def _add_objective(
    problem: Problem, prefs: Preferences, objective: StableObjective, built: StableModel
) -> None:
    model, edges, x = built.model, built.edges, built.x
    talents = problem.talent[edges]
    extra: Any = 0
    if objective == "score":
        gain = problem.edge_gain[edges]
        cost = -gain
        weight = (
            _per_owner_max(talents, gain) + 1 if problem.lexicographic else problem.placement_units
        )
    else:
        trank, prank = _ranks(prefs, edges)
        if objective == "egalitarian":
            cost = (trank + prank).astype(np.int64)
            weight = _per_owner_max(talents, cost) + 1
        else:
            worst = np.maximum(trank, prank).astype(np.int64)
            top = int(worst.max(initial=0))
            # worst_rank >= the rank on every chosen edge
            worst_rank = model.new_int_var(0, top, "worst_rank")
            for i in np.flatnonzero(worst > 0).tolist():
                model.add(worst_rank >= int(worst[i])).only_enforce_if(x[i])
            extra = -worst_rank
            cost = np.zeros(edges.size, dtype=np.int64)
            weight = top + 1
    built.placement_weight = int(weight)
    terms = (weight - cost).astype(np.int64)
    built.objective = cp_model.LinearExpr.weighted_sum(x, terms.tolist()) + extra
    model.maximize(built.objective)


def _ranks(prefs: Preferences, edges: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Both ranks of each edge; a pair one side does not accept (a pin) ranks just below
    that side's whole list."""
    degree_t = np.diff(prefs.talent_start)[prefs.talent[edges]]
    degree_p = np.diff(prefs.package_start)[prefs.package[edges]]
    trank = np.where(prefs.talent_rank[edges] >= 0, prefs.talent_rank[edges], degree_t)
    prank = np.where(prefs.package_rank[edges] >= 0, prefs.package_rank[edges], degree_p)
    return trank.astype(np.int64), prank.astype(np.int64)


def _per_owner_max(owner: npt.NDArray[np.integer], values: Int64Array) -> int:
    """Sum over owners of their largest non-negative value: a bound on any sum that takes at
    most one value per owner."""
    if owner.size == 0:
        return 0
    best = np.zeros(int(owner.max()) + 1, dtype=np.int64)
    np.maximum.at(best, owner, np.maximum(values, 0))
    return int(best.sum())
