"""The evaluator one placement at a time: the round's records by id, a placement's cost
split, the eligibility rules a pair fails and the outcomes a placement has.

Everything here is plain Python over the domain models (:mod:`matcher.models`), sharing no
code with the vectorized rules of :mod:`matcher.eligibility` and :mod:`matcher.floors`, so
that :func:`matcher.evaluator.evaluate` checks them independently.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.models import Organization, Round, Talent, WorkPackage

__all__ = [
    "Lookup",
    "Placement",
    "eligibility_failures",
    "learns",
    "lookup",
    "outcomes_of",
    "pair_failures",
    "pair_name",
    "retained_cost",
    "split_cost",
    "uses_strength",
]


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
class Lookup:
    """The round's records by id, and its forbidden pairs."""

    orgs: dict[str, Organization]
    talents: dict[str, Talent]
    packages: dict[str, WorkPackage]
    forbidden: frozenset[tuple[str, str]]


def lookup(round_: Round) -> Lookup:
    """The records of ``round_`` by id."""
    return Lookup(
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
    return eligibility_failures(round_, lookup(round_), talent_id, package_id)


def eligibility_failures(round_: Round, look: Lookup, talent_id: str, package_id: str) -> list[str]:
    """:func:`pair_failures` on the records ``look`` of ``round_``."""
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
        "learning": learns(t, p),
    }
    return [name for name, ok in checks.items() if policy.rule_on(name) and not ok]


def learns(t: Talent, p: WorkPackage) -> bool:
    """The package teaches one of the talent's learning goals below level 5."""
    return any(s in t.learning_goals and t.strengths.get(s, 0) < 5 for s in p.learnable)


def uses_strength(t: Talent, p: WorkPackage) -> bool:
    """The talent has level 4+ on a required or desired skill of the package."""
    return any(
        level >= 4 and (s in p.required or s in p.desired) for s, level in t.strengths.items()
    )


def outcomes_of(look: Lookup, t_id: str, p_id: str) -> dict[str, bool]:
    """The outcomes of one placement, by floor name (:data:`matcher.models.FLOOR_NAMES`)."""
    t, p = look.talents[t_id], look.packages[p_id]
    return {
        "learning": learns(t, p),
        "strengths": uses_strength(t, p),
        "cross_sector": look.orgs[t.lender].sector != look.orgs[p.host].sector,
    }


def pair_name(talent: str, package: str) -> str:
    """The record a violation on a (talent, package) pair names."""
    return f"talent '{talent}' / package '{package}'"
