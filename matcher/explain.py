"""Explanations: why a pair is not eligible, and why a talent was not placed.

For a talent with no eligible package, the counts say how many packages each rule
excluded, each package under the first rule it fails; :func:`rule_counts_for_talent` gives
instead what each rule excludes on its own (a package may fail several). For a talent with
eligible packages, each package is examined against the chosen placements: its seats went
to better-scored talents, a budget ran out, and so on. The main reason is the constraint
that binds on the package the talent came closest to: a free seat it could not take (a
budget, the host's share) before a seat held by a lower-scored talent, before seats held
by better-scored ones; the best-scored such package is looked at closely
(:mod:`matcher.explain_detail`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matcher.arrays import RoundArrays
from matcher.compile import CompiledRound
from matcher.eligibility import active_rules
from matcher.explain_detail import Detail, DetailContext, Labels
from matcher.floors import FLOOR_RESOLUTION, OUTCOME_TEXT, OUTCOMES, floor_units
from matcher.models import RULE_NAMES, Round
from matcher.objective import scaled

_EPS = 1e-6

NO_ELIGIBLE_PACKAGE = "no_eligible_package"
OUTCOMPETED = "outcompeted"
SEATS_TAKEN = "seats_taken"
HOST_BUDGET = "host_budget_exhausted"
LENDER_BUDGET = "lender_budget_exhausted"
SUBSIDY_POOL = "subsidy_pool_exhausted"
NOT_CHOSEN = "not_chosen"
FLOOR = "floor"

CATEGORY_TEXT = {
    NO_ELIGIBLE_PACKAGE: "no eligible package",
    OUTCOMPETED: "its seats went to better-scored talents",
    SEATS_TAKEN: "its seats went to lower-scored talents that a constraint kept there",
    HOST_BUDGET: "a seat was free, but the host's hiring budget was used up",
    LENDER_BUDGET: "a seat was free, but the lender's top-up budget was used up",
    SUBSIDY_POOL: "a seat was free, but the subsidy pool was used up",
    NOT_CHOSEN: "a seat was free and every budget fit, yet it was not placed",
    FLOOR: "no eligible package has the outcome a hard floor of 1 requires of every placement",
}

CAUSE_TEXT = {
    (SEATS_TAKEN, "pinned"): "its seats went to lower-scored talents pinned there",
    (SEATS_TAKEN, "accepted"): "its seats went to lower-scored talents whose placements "
    "the previous round accepted",
    (SEATS_TAKEN, "proposed"): "its seats went to lower-scored talents proposed there in the "
    "previous round (moving them costs more than the score gains)",
    (SEATS_TAKEN, "lender_minimum"): "its seats went to lower-scored talents whose lenders "
    "need them for their minimum placements",
    (SEATS_TAKEN, "host_budget"): "its seats went to lower-scored talents with lower fees "
    "(the host's hiring budget cannot pay its fee instead)",
    (SEATS_TAKEN, "lender_budget"): "its seats went to lower-scored talents (its lender's "
    "top-up budget cannot pay its top-up)",
    (SEATS_TAKEN, "subsidy_pool"): "its seats went to lower-scored talents (the subsidy pool "
    "cannot pay its subsidy)",
    (SEATS_TAKEN, "search"): "its seats went to lower-scored talents (the solve stopped "
    "before the swap; not proven optimal)",
    (NOT_CHOSEN, "host_share"): "a seat was free, but the host has its maximum share of placements",
    (NOT_CHOSEN, "search"): "a seat was free and every budget fit (the solve stopped before "
    "placing it; not proven optimal)",
}
"""The main reason, said more precisely where the cause is known."""


@dataclass(frozen=True)
class UnplacedReason:
    """Why one talent was not placed.

    Attributes
    ----------
    talent
        The talent's id.
    reason
        The main reason (one of the category codes of this module).
    counts
        For ``no_eligible_package``: packages excluded by each rule (each package under the
        first rule it fails). Otherwise: the talent's eligible packages by the reason they
        were not obtained.
    cause
        What holds the seats (``seats_taken``) or keeps the talent off a free seat
        (``not_chosen``): ``pinned``, ``accepted``, ``proposed``, ``lender_minimum``,
        ``host_share``, ``host_budget``, ``lender_budget``, ``subsidy_pool``, or ``search``
        when no constraint does (the assignment is not optimal); else empty.
    package
        The package behind the main reason: the best-scored of the talent's packages in
        that category (empty without eligible package).
    score
        The talent's score on that package.
    detail
        One sentence: who holds the seats and their scores, or the budget's amount left
        and the amount needed, or the rules that exclude every package.
    left, needed
        For a binding budget: what it has left per month after the assignment, and what
        the placement would need of it (the fee, the top-up, the subsidy, or what a swap
        adds to them).
    holders
        The talents named in the detail, with their scores.
    """

    talent: str
    reason: str
    counts: dict[str, int] = field(default_factory=dict)
    cause: str = ""
    package: str = ""
    score: float | None = None
    detail: str = ""
    left: float | None = None
    needed: float | None = None
    holders: tuple[tuple[str, float], ...] = ()

    def explanation(self) -> str:
        """The main reason in words, as precisely as its cause allows."""
        return CAUSE_TEXT.get((self.reason, self.cause), CATEGORY_TEXT[self.reason])

    def text(self) -> str:
        """One line for a person."""
        parts = ", ".join(f"{name} {n}" for name, n in self.counts.items())
        return f"{self.explanation()} ({parts})" if parts else self.explanation()


def rule_counts_for_talent(a: RoundArrays, t: int) -> dict[str, int]:
    """How many packages each enforced rule excludes for talent ``t``, each rule alone."""
    p = np.arange(a.n_packages, dtype=np.int64)
    ti = np.full(a.n_packages, t, dtype=np.int64)
    counts = {name: int((~rule(a, ti, p)).sum()) for name, rule in active_rules(a).items()}
    return {name: n for name, n in sorted(counts.items(), key=lambda x: -x[1]) if n}


def rule_counts_for_package(a: RoundArrays, p: int) -> dict[str, int]:
    """How many talents each enforced rule excludes for package ``p``, each rule alone."""
    t = np.arange(a.n_talents, dtype=np.int64)
    pi = np.full(a.n_talents, p, dtype=np.int64)
    counts = {name: int((~rule(a, t, pi)).sum()) for name, rule in active_rules(a).items()}
    return {name: n for name, n in sorted(counts.items(), key=lambda x: -x[1]) if n}


_EDGE_REASONS = (
    OUTCOMPETED,
    SEATS_TAKEN,
    HOST_BUDGET,
    LENDER_BUDGET,
    SUBSIDY_POOL,
    NOT_CHOSEN,
    FLOOR,
)
"""Reasons an eligible package was not obtained, in the order the counts break ties."""
_CLOSENESS = np.array([2, 1, 0, 0, 0, 0, 3])
"""Per reason, how far the talent was from the package: a free seat (0), a seat held by a
lower-scored talent (1), seats held by better-scored ones (2), a package a hard floor of
share 1 rules out (3: no assignment may hold it)."""


def floor_ruled_out(compiled: CompiledRound) -> tuple[npt.NDArray[np.bool_], list[str]]:
    """Per edge, whether a hard floor of share 1 rules it out (it lacks the floor's
    outcome), and those floors' names."""
    a = compiled.arrays
    out = np.zeros(compiled.n_edges, dtype=bool)
    names = []
    for name, floor in a.policy.active_floors().items():
        if floor.mode == "hard" and floor_units(floor.share) >= FLOOR_RESOLUTION:
            out |= ~OUTCOMES[name](a, compiled.talent, compiled.package)
            names.append(name)
    return out, names


def explain_unplaced(
    compiled: CompiledRound, chosen: npt.NDArray[np.integer], round_: Round | None = None
) -> list[UnplacedReason]:
    """Why each talent without a placement in ``chosen`` (edge indices) was not placed.

    A talent with no eligible package gets, per rule, the packages that rule excluded
    first (in rule order; the counts add up to the number of packages). A talent with
    eligible packages gets, per reason, how many of them it did not obtain for that reason,
    most frequent first (ties go to the earlier reason of :data:`_EDGE_REASONS`); its main
    reason is that of the package it came closest to (a free seat, then a seat held by a
    lower-scored talent, then the rest; the best-scored among them), with the detail of
    :mod:`matcher.explain_detail`. Scores compare as the solvers count them, in thousandths.
    With ``round_``, the details name organizations and packages beside their ids.
    """
    a = compiled.arrays
    picked: npt.NDArray[np.int64] = np.asarray(chosen, dtype=np.int64)
    placed = np.zeros(a.n_talents, dtype=bool)
    placed[compiled.talent[picked]] = True
    seats_used = np.bincount(compiled.package[picked], minlength=a.n_packages)
    host = a.package_host[compiled.package]
    lender = a.talent_lender[compiled.talent]
    fees_left = a.org_hiring_budget - np.bincount(
        host[picked], weights=compiled.host_fee[picked], minlength=a.n_orgs
    )
    topups_left = a.org_topup_budget - np.bincount(
        lender[picked], weights=compiled.topup[picked], minlength=a.n_orgs
    )
    pool = a.policy.subsidy_pool
    pool_left = np.inf if pool is None else pool - float(compiled.subsidy[picked].sum())
    # the lowest score among each package's placed talents: at or above it, outcompeted
    units = scaled(compiled.score)
    weakest = np.full(a.n_packages, np.iinfo(np.int64).max)
    np.minimum.at(weakest, compiled.package[picked], units[picked])

    edges = np.flatnonzero(~placed[compiled.talent])
    p = compiled.package[edges]
    full = seats_used[p] >= a.package_seats[p]
    ruled_out, floors = floor_ruled_out(compiled)
    code = np.select(
        [
            ruled_out[edges],
            full & (weakest[p] >= units[edges]),
            full,
            compiled.host_fee[edges] > fees_left[host[edges]] + _EPS,
            compiled.topup[edges] > topups_left[lender[edges]] + _EPS,
            compiled.subsidy[edges] > pool_left + _EPS,
        ],
        [6, 0, 1, 2, 3, 4],
        default=5,
    )
    n_reasons = len(_EDGE_REASONS)
    counts = np.bincount(
        compiled.talent[edges].astype(np.int64) * n_reasons + code,
        minlength=a.n_talents * n_reasons,
    ).reshape(a.n_talents, n_reasons)
    # per talent, the edge it came closest to: least far, then best-scored
    order = np.lexsort((-units[edges], _CLOSENESS[code], compiled.talent[edges]))
    firsts = order[np.unique(compiled.talent[edges][order], return_index=True)[1]]
    main = {int(compiled.talent[edges[i]]): (int(edges[i]), int(code[i])) for i in firsts}
    context = DetailContext(compiled, picked, fees_left, topups_left, pool_left, Labels.of(round_))
    excluded = compiled.excluded_by_talent

    reasons = []
    for t in np.flatnonzero(~placed).tolist():
        row = counts[t]
        if not row.any():
            by_rule = {
                RULE_NAMES[r]: int(excluded[t, r]) for r in np.flatnonzero(excluded[t]).tolist()
            }
            ordered = dict(sorted(by_rule.items(), key=lambda x: -x[1]))
            parts = ", ".join(f"{rule} {n}" for rule, n in ordered.items())
            detail = (
                f"no package passes every rule; packages by the first rule they fail: {parts}"
                if parts
                else ""
            )
            reasons.append(
                UnplacedReason(a.talent_ids[t], NO_ELIGIBLE_PACKAGE, ordered, detail=detail)
            )
            continue
        ranked = np.argsort(-row, kind="stable")
        by_reason = {_EDGE_REASONS[r]: int(row[r]) for r in ranked.tolist() if row[r]}
        e, c = main[t]
        look: Detail = (
            _floor_detail(compiled, e, floors, int(row[c]) - 1)
            if _EDGE_REASONS[c] == FLOOR
            else context.describe(e, _EDGE_REASONS[c], int(row[c]) - 1)
        )
        cause = look.cause if _EDGE_REASONS[c] in (SEATS_TAKEN, NOT_CHOSEN) else ""
        reasons.append(
            UnplacedReason(
                a.talent_ids[t],
                _EDGE_REASONS[c],
                by_reason,
                cause=cause,
                package=a.package_ids[int(compiled.package[e])],
                score=round(float(compiled.score[e]), 4),
                detail=look.detail,
                left=None if look.left is None else round(look.left, 2),
                needed=None if look.needed is None else round(look.needed, 2),
                holders=look.holders,
            )
        )
    return reasons


def _floor_detail(compiled: CompiledRound, e: int, floors: list[str], others: int) -> Detail:
    """Why edge ``e`` is ruled out by a hard floor of share 1."""
    a = compiled.arrays
    lacks = [
        OUTCOME_TEXT[name]
        for name in floors
        if not OUTCOMES[name](a, compiled.talent[e : e + 1], compiled.package[e : e + 1])[0]
    ]
    package = a.package_ids[int(compiled.package[e])]
    likewise = f"; {others} other package{'s' if others > 1 else ''} likewise" if others else ""
    return Detail(
        "",
        f"package '{package}': a placement there would not be one where the talent "
        f"{' and '.join(lacks)}, which the policy's floor of 1 ({', '.join(floors)}) asks of "
        f"every placement{likewise}",
    )


def summarize_reasons(reasons: list[UnplacedReason]) -> dict[str, int]:
    """Unplaced talents per main reason, most frequent first."""
    return dict(Counter(r.reason for r in reasons).most_common())


def summarize_explanations(reasons: list[UnplacedReason]) -> dict[str, int]:
    """Unplaced talents per main reason in words (its cause included), most frequent
    first."""
    return dict(Counter(r.explanation() for r in reasons).most_common())
