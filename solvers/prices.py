"""The price of every rule: what relaxing each active constraint group would gain, in
placements and score, after a solve (:func:`rule_prices`).

Rules
-----
Each rule is a constraint group of the model (:mod:`solvers.model`) or an eligibility rule
of the policy (:data:`matcher.models.RULE_NAMES`), with the problem that drops it
(:mod:`solvers.price_rules`): every host and lender budget that can bind, the subsidy pool,
the fairness minimum per lender and maximum share per host, the outcome floors, the pins and
the accepted placements of the previous round, the age policy, the minimum fit and the
learning rule. Seats and tours are
the round's capacities, not rules, and are not priced.

Estimate
--------
The linear relaxation of the round is solved once (:mod:`solvers.price_lp`). A rule whose
rows all have a zero dual gains nothing there when dropped: the relaxation's value is
concave in the rows' sides and the duals are a supergradient, so no relaxation of them
raises it. Each other rule is dropped from the same program, re-solved from its last basis,
and put back; the differences in placements and in the secondary term (score plus bonus less
penalties) are its estimate. An eligibility rule adds edges: its relaxation is solved anew on
the round compiled without the rule.

Confirmation
------------
The ``confirm`` rules of largest estimate are solved again without the rule by the
portfolio (:func:`solvers.auto.solve.solve_problem`, ``resolve_seconds`` each), from the
solve's own assignment (feasible without the rule too), and compared with the round solved
again with the rule for as long from the same start (the control): the gain is not the
gain of a longer search. The control's or the solve's assignment, the better, is the
reference.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from matcher.objective import SCORE_RESOLUTION, Objective
from solvers.auto.options import AutoOptions
from solvers.auto.solve import solve_problem
from solvers.lp_relaxation import FloatArray
from solvers.model.build import build_spec
from solvers.model.spec import ModelSpec
from solvers.price_lp import LpPoint, WarmLp
from solvers.price_rules import Rule, active_rules
from solvers.problem import Int64Array, Problem
from solvers.result import Result, SolveParams

DUAL_TOLERANCE = 1e-9
"""A row dual at most this (in magnitude) counts as zero."""


@dataclass(frozen=True)
class PriceOptions:
    """How long pricing may take.

    Attributes
    ----------
    lp_seconds
        For every linear relaxation together; rules not reached in time get no estimate.
    rule_seconds
        Most for one rule's relaxation: a relaxation cut there holds the columns it had
        (a restricted program), whose gain is a lower bound on the relaxation's.
    resolve_seconds
        For each re-solve (the control and each confirmed rule).
    confirm
        Rules of largest estimate confirmed by a re-solve.
    workers, seed
        Of the re-solves.
    """

    lp_seconds: float = 20.0
    rule_seconds: float = 10.0
    resolve_seconds: float = 5.0
    confirm: int = 3
    workers: int = 2
    seed: int = 0

    @classmethod
    def after(cls, params: SolveParams) -> PriceOptions:
        """The limits of pricing after a solve with ``params``: the linear relaxations for
        up to the solve's time limit again (one rule's for a twentieth of it, at least 2 s),
        each re-solve (the control and three rules) for a quarter of it, at least a second:
        about twice the solve's time in all."""
        limit = params.time_limit
        return cls(
            lp_seconds=limit,
            rule_seconds=max(2.0, limit / 20),
            resolve_seconds=max(1.0, limit / 4),
            workers=params.workers,
            seed=params.seed,
        )


@dataclass(frozen=True)
class Gain:
    """What relaxing a rule gains: placements and the secondary term (score plus bonus less
    penalties) in score points, and that as a share of the reference's secondary term."""

    placements: float
    score: float
    share: float


@dataclass(frozen=True)
class RulePrice:
    """The price of one rule.

    Attributes
    ----------
    key
        The constraint group (as conflicts name it) or the eligibility rule.
    rule
        The rule in words.
    dual
        Sum of the magnitudes of its rows' duals in the linear relaxation (None for an
        eligibility rule or a rule of bounds only); 0: dropping it gains nothing there.
    estimate
        The linear relaxation's gain without the rule (None: not reached in time).
    confirmed
        The gain of a re-solve without the rule against the reference (None: not
        confirmed).
    seconds
        Spent on its estimate.
    estimate_complete
        Whether its relaxation ended with no edge of positive reduced cost left out; else
        the time cut it and the estimate is a lower bound on the relaxation's gain.
    """

    key: str
    rule: str
    dual: float | None
    estimate: Gain | None
    confirmed: Gain | None = None
    seconds: float = 0.0
    estimate_complete: bool = True


@dataclass(frozen=True)
class Prices:
    """Every active rule's price, largest estimate first, and how they were found."""

    rules: list[RulePrice]
    lp_complete: bool
    lp_seconds: float
    resolve_seconds: float
    notes: list[str]
    start_seconds: float = 0.0
    """Of ``lp_seconds``: the relaxation with every rule."""


def rule_prices(problem: Problem, base: Result, options: PriceOptions | None = None) -> Prices:
    """The price of every active rule of ``problem`` after the solve ``base``.

    Parameters
    ----------
    problem
        The integer problem that ``base`` solved.
    base
        Its result, with an assignment.
    options
        Time limits and the number of re-solves.
    """
    options = options or PriceOptions()
    if base.objective is None:
        raise ValueError("prices need a solve with an assignment")
    spec = build_spec(problem)
    lap = time.perf_counter()
    deadline = lap + options.lp_seconds
    lp = WarmLp(problem, spec, base.edges)
    start = lp.solve(deadline)
    start_seconds = time.perf_counter() - lap
    notes: list[str] = []
    if start is None:
        notes.append("linear relaxation: not solved in time, no estimate")
    # the duals of the relaxation with every rule: the supergradient every rule is judged by
    duals = lp.duals.copy()
    group_of_row = np.asarray(spec.rows.group, dtype=np.int64)
    rules = _in_order(active_rules(problem, spec), lp, duals, group_of_row)
    priced: list[RulePrice] = []
    complete = start is not None and start.complete
    for rule, rows in rules:
        estimate: Gain | None = None
        dual = float(np.abs(duals[rows]).sum()) if rows.size else None
        began = time.perf_counter()
        whole = True
        # a rule of zero duals needs no program (unless it frees or opens edges): it is
        # priced even once the time for the relaxations is up
        free_of_charge = dual is not None and dual <= DUAL_TOLERANCE and not rule.eligibility
        if start is not None and (began < deadline or free_of_charge):
            until = max(began, min(deadline, began + options.rule_seconds))
            point = _estimate(problem, lp, rule, rows, dual, until)
            if point is not None:
                complete &= point.complete
                whole = point.complete
                estimate = lp_gain(point, start)
        seconds = round(time.perf_counter() - began, 4)
        priced.append(RulePrice(rule.key, rule.words, dual, estimate, None, seconds, whole))
    if start is not None and any(p.estimate is None for p in priced):
        notes.append("the time for the relaxations ran out: some rules have no estimate")
    lp_seconds = time.perf_counter() - lap
    # rules the relaxation did not reach are confirmed in the order of their duals' weight
    unestimated = [p.key for p in priced if p.estimate is None and (start is None or p.dual != 0.0)]
    priced.sort(key=_estimate_key, reverse=True)
    lap = time.perf_counter()
    rule_list = [rule for rule, _ in rules]
    priced = _confirm(problem, base, rule_list, priced, unestimated, options, notes)
    priced.sort(key=_known_key, reverse=True)
    resolve_seconds = time.perf_counter() - lap
    return Prices(priced, complete, lp_seconds, resolve_seconds, notes, start_seconds)


def _in_order(
    rules: list[Rule], lp: WarmLp, duals: FloatArray, group_of_row: Int64Array
) -> list[tuple[Rule, Int64Array]]:
    """Each rule with its rows, in the order they are estimated: rules of bounds (pins,
    accepted placements) first, then by what their rows add to the relaxation's dual bound
    (``|dual x side|``, largest first: the time limit cuts the least), eligibility rules
    (a relaxation from scratch each) last."""
    side = np.where(duals > 0, lp.program.hi, np.where(duals < 0, lp.program.lo, 0.0))
    weight = np.abs(duals * np.where(np.isfinite(side), side, 0.0))
    ordered = []
    for rule in rules:
        rows = np.flatnonzero(np.isin(group_of_row, rule.groups)).astype(np.int64)
        if rule.eligibility:
            rank = -1.0
        elif not rule.groups:
            rank = np.inf
        else:
            rank = float(weight[rows].sum())
        ordered.append((rank, rule, rows))
    ordered.sort(key=lambda item: item[0], reverse=True)
    return [(rule, rows) for _, rule, rows in ordered]


def _estimate(
    problem: Problem,
    lp: WarmLp,
    rule: Rule,
    rows: Int64Array,
    dual: float | None,
    deadline: float,
) -> LpPoint | None:
    """The relaxation's optimum without ``rule`` (whose rows are ``rows`` and their duals'
    magnitudes ``dual``)."""
    relaxed = rule.relaxed()
    if rule.eligibility:
        return WarmLp(relaxed, spec_like(relaxed, lp.spec)).solve(deadline)
    free = np.flatnonzero(problem.forced & ~relaxed.forced).astype(np.int64)
    opened = np.flatnonzero(problem.dead & ~relaxed.dead).astype(np.int64)
    if (dual is None or dual <= DUAL_TOLERANCE) and free.size == 0 and opened.size == 0:
        # no supergradient direction gains: the relaxation's value stays
        return LpPoint(0.0, 0.0, True)
    return lp.without(rows, free, opened, deadline)


def lp_gain(point: LpPoint, start: LpPoint) -> Gain:
    """What the relaxation's optimum ``point`` gains over ``start``."""
    if point.placements == 0.0 and point.secondary == 0.0 and point.complete:
        return Gain(0.0, 0.0, 0.0)
    score = (point.secondary - start.secondary) / SCORE_RESOLUTION
    base = abs(start.secondary) / SCORE_RESOLUTION
    # float noise of the simplex (1e-14 placements) is no gain
    placements = round(point.placements - start.placements, 6)
    return Gain(placements, score, score / base if base else 0.0)


def _known_key(price: RulePrice) -> tuple[float, float]:
    """The re-solve's gain when confirmed, else the relaxation's (placements first)."""
    if price.confirmed is not None:
        return (round(price.confirmed.placements, 6), price.confirmed.score)
    return _estimate_key(price)


def _estimate_key(price: RulePrice) -> tuple[float, float]:
    if price.estimate is None:
        return (-1.0, 0.0)
    return (round(price.estimate.placements, 6), price.estimate.score)


def _confirm(
    problem: Problem,
    base: Result,
    rules: list[Rule],
    priced: list[RulePrice],
    unestimated: list[str],
    options: PriceOptions,
    notes: list[str],
) -> list[RulePrice]:
    """``priced`` with the gains of re-solves of the ``options.confirm`` first rules that
    gain something in the relaxation, then, while fewer, of the ``unestimated`` ones (in
    that order: by their duals' weight)."""
    by_key = {rule.key: rule for rule in rules}
    position = {price.key: i for i, price in enumerate(priced)}
    chosen = [
        i
        for i, price in enumerate(priced)
        if price.estimate is not None
        and (price.estimate.placements > 1e-6 or price.estimate.score > 1e-6)
    ]
    chosen = (chosen + [position[key] for key in unestimated])[: options.confirm]
    if not chosen or options.confirm <= 0:
        return priced
    assert base.objective is not None
    params = SolveParams(
        time_limit=options.resolve_seconds, workers=options.workers, seed=options.seed
    )
    control = solve_problem(problem, dataclasses.replace(params, start=base.edges), AutoOptions())
    reference = base.objective
    if control.objective is not None and control.objective.key() > reference.key():
        reference = control.objective
        notes.append("the control re-solve found a better assignment than the solve's")
    out = list(priced)
    for i in chosen:
        relaxed = by_key[priced[i].key].relaxed()
        start = _start_on(problem, relaxed, base.edges)
        result = solve_problem(relaxed, dataclasses.replace(params, start=start), AutoOptions())
        if result.objective is not None:
            out[i] = dataclasses.replace(
                priced[i], confirmed=_objective_gain(result.objective, reference)
            )
    return out


def _objective_gain(objective: Objective, reference: Objective) -> Gain:
    score = (objective.secondary - reference.secondary) / SCORE_RESOLUTION
    base = abs(reference.secondary) / SCORE_RESOLUTION
    return Gain(
        float(objective.placements - reference.placements), score, score / base if base else 0.0
    )


def spec_like(relaxed: Problem, spec: ModelSpec) -> ModelSpec:
    """The model of ``relaxed`` with the lexicographic multiplier of ``spec`` when it is
    large enough (the relaxations then weigh placements and score alike), else its own."""
    try:
        return build_spec(relaxed, multiplier=spec.multiplier if spec.multiplier > 1 else None)
    except ValueError:
        return build_spec(relaxed)


def _start_on(problem: Problem, relaxed: Problem, edges: Int64Array) -> Int64Array:
    """The edges of ``relaxed`` that are the pairs of ``edges`` in ``problem`` (the same
    edges unless the relaxed round was compiled again)."""
    if relaxed.compiled is problem.compiled:
        return np.asarray(edges, dtype=np.int64)
    t = problem.compiled.talent[edges].astype(np.int64)
    p = problem.compiled.package[edges].astype(np.int64)
    mapped = relaxed.compiled.edge_index(t, p)
    return mapped[mapped >= 0]


__all__ = [
    "Gain",
    "PriceOptions",
    "Prices",
    "RulePrice",
    "lp_gain",
    "rule_prices",
    "spec_like",
]
