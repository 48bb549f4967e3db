"""The independent judge of an assignment: hard constraints, objective and round KPIs.

Every solver's output goes through :func:`evaluate`. It shares no code with the solvers and
none with the vectorized rules: eligibility and the cost split are re-checked here one
placement at a time, in plain Python, from the domain models. Only the score of each pair is
taken from the compiled round.

Budgets are monthly totals and are checked as if every placement ran at the same time,
which is the safe reading for tours that overlap.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from matcher.compile import CompiledRound
from matcher.fairness import host_excess, lender_targets
from matcher.floors import floor_shortfall
from matcher.models import Floor, Organization, Round, Talent, WorkPackage, peak_fte
from matcher.objective import SCORE_RESOLUTION, Objective, make_objective, scaled

_EPS = 1e-6


def _over(total: float, limit: float) -> bool:
    """Whether a float sum exceeds a limit beyond rounding: 1e-6 absolute, or a relative
    1e-12 for large sums, whose float error grows with their size."""
    return total > limit + max(_EPS, 1e-12 * abs(limit))


@dataclass(frozen=True)
class Violation:
    """One broken hard constraint: which constraint, on which record, and how."""

    constraint: str
    record: str
    detail: str

    def __str__(self) -> str:
        return f"{self.constraint}: {self.record}: {self.detail}"


@dataclass(frozen=True)
class Placement:
    """One placement with its cost split (monthly) and total score."""

    talent: str
    package: str
    host_fee: float
    subsidy: float
    topup: float
    score: float


@dataclass(frozen=True)
class Kpis:
    """Round indicators of an assignment."""

    talents: int
    packages: int
    seats: int
    placements: int
    placed_talents: int
    placement_rate: float
    seat_fill_rate: float
    learning_share: float
    strengths_share: float
    cross_sector_share: float
    learning_placement_share: float
    strengths_placement_share: float
    cross_sector_placement_share: float
    lender_rate_min: float
    lender_rate_max: float
    mean_score: float
    host_fees: float
    topups: float
    subsidy: float
    links: int = 0
    """Distinct (lender, host) links of the placements."""
    new_links: int | None = None
    """Links that no placement of the previous round (``Round.previous``) made; None when
    the round has no previous placements to compare with."""
    new_link_share: float | None = None
    """``new_links`` as a share of ``links`` (None as ``new_links``)."""


@dataclass(frozen=True)
class Evaluation:
    """The verdict on an assignment."""

    violations: list[Violation]
    objective: Objective
    kpis: Kpis
    placements: list[Placement] = field(repr=False)

    @property
    def feasible(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class _Lookup:
    orgs: dict[str, Organization]
    talents: dict[str, Talent]
    packages: dict[str, WorkPackage]
    forbidden: frozenset[tuple[str, str]]


def _lookup(round_: Round) -> _Lookup:
    return _Lookup(
        {o.id: o for o in round_.organizations},
        {t.id: t for t in round_.talents},
        {p.id: p for p in round_.packages},
        frozenset((f.talent, f.package) for f in round_.forbidden),
    )


def retained_cost(talent: Talent, package: WorkPackage) -> float:
    """Monthly salary cost kept whole while ``talent`` works on ``package``."""
    return talent.salary * talent.retention * package.fte


def split_cost(
    talent: Talent, package: WorkPackage, subsidy_share: float
) -> tuple[float, float, float]:
    """(host fee, subsidy, top-up) of one placement."""
    retained = retained_cost(talent, package)
    fee = min(package.fee_cap, retained)
    subsidy = (retained - fee) * subsidy_share
    return fee, subsidy, retained - fee - subsidy


def pair_failures(round_: Round, talent_id: str, package_id: str) -> list[str]:
    """Names of the enforced eligibility rules that the pair fails, checked one by one."""
    return _pair_failures(round_, _lookup(round_), talent_id, package_id)


def _pair_failures(round_: Round, look: _Lookup, talent_id: str, package_id: str) -> list[str]:
    policy = round_.policy
    t, p = look.talents[talent_id], look.packages[package_id]
    lender, host = look.orgs[t.lender], look.orgs[p.host]
    fee, subsidy, topup = split_cost(t, p, policy.subsidy_share)
    covered = sum(w for s, w in p.desired.items()) + len(p.required)
    coverage = (
        (
            sum(t.strengths.get(s, 0) for s in p.required)
            + sum(w * t.strengths.get(s, 0) for s, w in p.desired.items())
        )
        / 5
        / covered
        if covered
        else 0.0
    )
    strong = [s for s, level in t.strengths.items() if level >= 4]
    used = len([s for s in strong if s in p.required or s in p.desired])
    target = min(3, len(strong))
    fit = 0.6 * coverage + 0.4 * (min(used, target) / target if target else 0.0)
    checks = {
        "age": t.age >= policy.min_age and (policy.max_age is None or t.age <= policy.max_age),
        "required_skills": all(t.strengths.get(s, 0) >= lvl for s, lvl in p.required.items()),
        "availability": t.available_from <= p.start and t.available_to >= p.end,
        "fte": t.fte + 1e-9 >= p.fte,
        "location": t.region == p.region or (p.remote == "remote" and t.accepts_remote),
        "languages": set(p.languages) <= set(t.languages),
        "own_organization": p.host != t.lender,
        "competitor": p.host not in lender.competitors and t.lender not in host.competitors,
        "excluded_organization": p.host not in t.excluded,
        "forbidden_pair": (talent_id, package_id) not in look.forbidden,
        "cost_split": (host.hiring_budget is None or fee <= host.hiring_budget + 1e-9)
        and (lender.topup_budget is None or topup <= lender.topup_budget + 1e-9)
        and (policy.subsidy_pool is None or subsidy <= policy.subsidy_pool + 1e-9),
        "minimum_fit": fit + 1e-6 >= policy.min_fit,
        "learning": _learns(t, p),
    }
    return [name for name, ok in checks.items() if policy.rule_on(name) and not ok]


def _learns(t: Talent, p: WorkPackage) -> bool:
    """The package teaches one of the talent's learning goals below level 5."""
    return any(s in t.learning_goals and t.strengths.get(s, 0) < 5 for s in p.learnable)


def _uses_strength(t: Talent, p: WorkPackage) -> bool:
    """The talent has level 4+ on a required or desired skill of the package."""
    return any(
        level >= 4 and (s in p.required or s in p.desired) for s, level in t.strengths.items()
    )


def evaluate(
    round_: Round, compiled: CompiledRound, assignment: Iterable[tuple[str, str]]
) -> Evaluation:
    """Check ``assignment`` (pairs of talent id, package id) against every hard constraint
    of ``round_`` and compute its objective and KPIs.

    Parameters
    ----------
    round_
        The round as given.
    compiled
        The compiled round; only its edge scores are used.
    assignment
        The placements, as (talent id, package id) pairs.
    """
    look = _lookup(round_)
    policy = round_.policy
    pairs = list(assignment)
    violations: list[Violation] = []

    for pair, count in Counter(pairs).items():
        if count > 1:
            violations.append(Violation("duplicate", _pair_name(*pair), f"placed {count} times"))
    pairs = list(dict.fromkeys(pairs))
    known = []
    for t_id, p_id in pairs:
        if t_id not in look.talents or p_id not in look.packages:
            violations.append(Violation("unknown", _pair_name(t_id, p_id), "no such record"))
        else:
            known.append((t_id, p_id))
    pairs = known

    talent_index = {x: i for i, x in enumerate(compiled.arrays.talent_ids)}
    package_index = {x: i for i, x in enumerate(compiled.arrays.package_ids)}
    placements: list[Placement] = []
    edges = compiled.edge_index(
        np.array([talent_index[t] for t, _ in pairs], dtype=np.int64),
        np.array([package_index[p] for _, p in pairs], dtype=np.int64),
    ).tolist()
    for (t_id, p_id), edge in zip(pairs, edges, strict=True):
        failures = _pair_failures(round_, look, t_id, p_id)
        if failures:
            violations.append(
                Violation("eligibility", _pair_name(t_id, p_id), "fails " + ", ".join(failures))
            )
        if edge < 0 and not failures:
            violations.append(
                Violation("edge", _pair_name(t_id, p_id), "eligible but pruned from the edges")
            )
        fee, subsidy, topup = split_cost(
            look.talents[t_id], look.packages[p_id], policy.subsidy_share
        )
        score = float(compiled.score[edge]) if edge >= 0 else 0.0
        placements.append(Placement(t_id, p_id, fee, subsidy, topup, score))

    violations += _capacity_violations(round_, look, pairs)
    violations += _budget_violations(round_, look, placements)
    violations += _decision_violations(round_, pairs)
    shortfalls, excesses = _fairness_gaps(round_, look, compiled, pairs)
    if policy.fairness == "hard":
        for org_id, gap in shortfalls.items():
            violations.append(
                Violation("min_per_lender", f"organization '{org_id}'", f"{gap} placements short")
            )
        for org_id, gap in excesses.items():
            violations.append(
                Violation("max_host_share", f"organization '{org_id}'", f"{gap} placements over")
            )
        penalty_gaps = 0
    else:
        penalty_gaps = sum(shortfalls.values()) + sum(excesses.values())

    kept = set(pairs)
    dropped = sum(
        1 for x in round_.previous if x.status == "proposed" and (x.talent, x.package) not in kept
    )
    penalty = penalty_gaps * int(scaled(policy.fairness_penalty)) + dropped * int(
        scaled(policy.disruption_penalty)
    )
    for name, (floor, reached, short) in _floor_gaps(round_, look, pairs).items():
        if floor.mode == "soft":
            penalty += short * int(scaled(floor.penalty))
        elif short:
            violations.append(
                Violation(
                    "floor",
                    f"floor '{name}'",
                    f"{reached} of {len(pairs)} placements, below the share {floor.share:g}: "
                    f"{short} placements short",
                )
            )
    score_units = int(scaled([x.score for x in placements]).sum()) if placements else 0
    links = len(_links(look, pairs))
    objective = make_objective(len(placements), score_units, penalty, policy, links)
    kpis = _kpis(round_, look, compiled, placements)
    return Evaluation(violations, objective, kpis, placements)


def _pair_name(talent: str, package: str) -> str:
    return f"talent '{talent}' / package '{package}'"


def _capacity_violations(
    round_: Round, look: _Lookup, pairs: list[tuple[str, str]]
) -> list[Violation]:
    out = []
    per_package = Counter(p for _, p in pairs)
    for p_id, n in sorted(per_package.items()):
        seats = look.packages[p_id].seats
        if n > seats:
            out.append(Violation("seats", f"package '{p_id}'", f"{n} placed on {seats} seats"))
    per_talent: dict[str, list[WorkPackage]] = defaultdict(list)
    for t_id, p_id in pairs:
        per_talent[t_id].append(look.packages[p_id])
    limit = round_.policy.max_tours_per_talent
    for t_id, placed in sorted(per_talent.items()):
        if len(placed) > limit:
            out.append(
                Violation("tours", f"talent '{t_id}'", f"{len(placed)} tours, at most {limit}")
            )
        peak = peak_fte(placed)
        fte = look.talents[t_id].fte
        if _over(peak, fte):
            out.append(
                Violation(
                    "fte", f"talent '{t_id}'", f"overlapping tours need {peak:g} FTE of {fte:g}"
                )
            )
    return out


def _budget_violations(
    round_: Round, look: _Lookup, placements: list[Placement]
) -> list[Violation]:
    out = []
    fees: dict[str, float] = defaultdict(float)
    topups: dict[str, float] = defaultdict(float)
    for x in placements:
        fees[look.packages[x.package].host] += x.host_fee
        topups[look.talents[x.talent].lender] += x.topup
    for org_id, total in sorted(fees.items()):
        budget = look.orgs[org_id].hiring_budget
        if budget is not None and _over(total, budget):
            out.append(
                Violation(
                    "host_budget",
                    f"organization '{org_id}'",
                    f"fees {total:.2f} > budget {budget:.2f}",
                )
            )
    for org_id, total in sorted(topups.items()):
        budget = look.orgs[org_id].topup_budget
        if budget is not None and _over(total, budget):
            out.append(
                Violation(
                    "topup_budget",
                    f"organization '{org_id}'",
                    f"top-ups {total:.2f} > budget {budget:.2f}",
                )
            )
    pool = round_.policy.subsidy_pool
    subsidy = sum(x.subsidy for x in placements)
    if pool is not None and _over(subsidy, pool):
        out.append(
            Violation("subsidy_pool", "platform", f"subsidy {subsidy:.2f} > pool {pool:.2f}")
        )
    return out


def _decision_violations(round_: Round, pairs: list[tuple[str, str]]) -> list[Violation]:
    placed = set(pairs)
    out = []
    for pin in round_.pins:
        if (pin.talent, pin.package) not in placed:
            out.append(
                Violation("pin", _pair_name(pin.talent, pin.package), "pinned but not placed")
            )
    for pair in round_.forbidden:
        if (pair.talent, pair.package) in placed:
            out.append(
                Violation(
                    "forbidden", _pair_name(pair.talent, pair.package), "forbidden but placed"
                )
            )
    for prev in round_.previous:
        if prev.status == "accepted" and (prev.talent, prev.package) not in placed:
            out.append(
                Violation(
                    "accepted", _pair_name(prev.talent, prev.package), "accepted placement not kept"
                )
            )
    return out


def _fairness_gaps(
    round_: Round, look: _Lookup, compiled: CompiledRound, pairs: list[tuple[str, str]]
) -> tuple[dict[str, int], dict[str, int]]:
    per_lender = Counter(look.talents[t].lender for t, _ in pairs)
    shortfalls = {
        org_id: target - per_lender[org_id]
        for org_id, target in lender_targets(round_, compiled).items()
        if per_lender[org_id] < target
    }
    excesses: dict[str, int] = {}
    if round_.policy.max_host_share < 1:
        per_host = Counter(look.packages[p].host for _, p in pairs)
        for org_id, n in sorted(per_host.items()):
            over = host_excess(n, len(pairs), round_.policy.max_host_share)
            if over:
                excesses[org_id] = over
    return shortfalls, excesses


def _links(look: _Lookup, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The distinct (lender, host) links that placements ``pairs`` make."""
    return {(look.talents[t].lender, look.packages[p].host) for t, p in pairs}


def _outcomes(look: _Lookup, t_id: str, p_id: str) -> dict[str, bool]:
    """The outcomes of one placement, by floor name (:data:`matcher.models.FLOOR_NAMES`)."""
    t, p = look.talents[t_id], look.packages[p_id]
    return {
        "learning": _learns(t, p),
        "strengths": _uses_strength(t, p),
        "cross_sector": look.orgs[t.lender].sector != look.orgs[p.host].sector,
    }


def _floor_gaps(
    round_: Round, look: _Lookup, pairs: list[tuple[str, str]]
) -> dict[str, tuple[Floor, int, int]]:
    """Per active floor: the floor, the placements with its outcome and how many placements
    the assignment is short of it."""
    floors = round_.policy.active_floors()
    if not floors:
        return {}
    counts: Counter[str] = Counter()
    for t_id, p_id in pairs:
        counts.update(name for name, ok in _outcomes(look, t_id, p_id).items() if ok)
    return {
        name: (floor, counts[name], floor_shortfall(counts[name], len(pairs), floor.share))
        for name, floor in floors.items()
    }


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _kpis(
    round_: Round, look: _Lookup, compiled: CompiledRound, placements: list[Placement]
) -> Kpis:
    placed_talents = {x.talent for x in placements}
    learners = set()
    strong_users = set()
    cross_sector = set()
    per_outcome: Counter[str] = Counter()
    for x in placements:
        outcomes = _outcomes(look, x.talent, x.package)
        per_outcome.update(name for name, ok in outcomes.items() if ok)
        if outcomes["learning"]:
            learners.add(x.talent)
        if outcomes["strengths"]:
            strong_users.add(x.talent)
        if outcomes["cross_sector"]:
            cross_sector.add(x.talent)
    talents_per_lender = Counter(t.lender for t in round_.talents)
    placed_per_lender = Counter(look.talents[t].lender for t in placed_talents)
    rates = [placed_per_lender[o] / n for o, n in talents_per_lender.items()]
    seats = sum(p.seats for p in round_.packages)
    n_placed = len(placed_talents)
    links = _links(look, [(x.talent, x.package) for x in placements])
    new_links: int | None = None
    if round_.previous:
        before = _links(look, [(x.talent, x.package) for x in round_.previous])
        new_links = len(links - before)
    return Kpis(
        talents=len(round_.talents),
        packages=len(round_.packages),
        seats=seats,
        placements=len(placements),
        placed_talents=n_placed,
        placement_rate=_share(n_placed, len(round_.talents)),
        seat_fill_rate=_share(len(placements), seats),
        learning_share=_share(len(learners), n_placed),
        strengths_share=_share(len(strong_users), n_placed),
        cross_sector_share=_share(len(cross_sector), n_placed),
        learning_placement_share=_share(per_outcome["learning"], len(placements)),
        strengths_placement_share=_share(per_outcome["strengths"], len(placements)),
        cross_sector_placement_share=_share(per_outcome["cross_sector"], len(placements)),
        lender_rate_min=min(rates, default=0.0),
        lender_rate_max=max(rates, default=0.0),
        mean_score=sum(x.score for x in placements) / len(placements) if placements else 0.0,
        host_fees=sum(x.host_fee for x in placements),
        topups=sum(x.topup for x in placements),
        subsidy=sum(x.subsidy for x in placements),
        links=len(links),
        new_links=new_links,
        new_link_share=None if new_links is None else _share(new_links, len(links)),
    )


__all__ = [
    "SCORE_RESOLUTION",
    "Evaluation",
    "Kpis",
    "Placement",
    "Violation",
    "evaluate",
    "host_excess",
    "lender_targets",
    "pair_failures",
    "retained_cost",
    "split_cost",
]
