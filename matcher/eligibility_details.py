"""The facts behind a failed eligibility rule, in words.

:data:`REASONS` says what a failing pair lacks in general; each detail function here says it
for one pair, with its values: ``required_skills: needs sql at level 4, talent 't7' has 2``.
:data:`DETAILS` maps every rule of :data:`~matcher.eligibility.RULES` to its function
``detail(arrays, t, p) -> str``, meant for a pair (talent ``t``, package ``p``) that fails
that rule. They look at one pair at a time: they explain, they never filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from matcher.arrays import REMOTE_CODES, RoundArrays
from matcher.costs import cost_split
from matcher.eligibility import RULES, failing_rules
from matcher.models import RemoteMode
from matcher.scores import strengths_fit

Detail = Callable[[RoundArrays, int, int], str]

_EPS = 1e-9  # the tolerance of the rules' money comparisons

_REMOTE_NAMES = {code: str(mode) for mode, code in REMOTE_CODES.items()}


def money(amount: float) -> str:
    """A monthly amount: ``4,500``, or ``3,000.01`` when it has cents."""
    if abs(amount - round(amount)) < 0.005:
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _day(ordinal: int) -> str:
    return dt.date.fromordinal(int(ordinal)).isoformat()


def _org(a: RoundArrays, o: int) -> str:
    return f"'{a.org_ids[int(o)]}'"


def age_detail(a: RoundArrays, t: int, p: int) -> str:
    """``47, the policy asks 50+`` (or ``50-65``, or ``up to 65``)."""
    low, high = a.policy.min_age, a.policy.max_age
    asks = f"{low}+" if high is None else f"{low}-{high}" if low > 0 else f"up to {high}"
    return f"{int(a.talent_age[t])}, the policy asks {asks}"


def required_skills_detail(a: RoundArrays, t: int, p: int) -> str:
    """Every required skill the talent lacks or has below its level, with both levels."""
    who = f"talent '{a.talent_ids[t]}'"
    needs: list[tuple[str, int, int]] = []
    for skill, level in zip(
        a.package_required_skill[p].tolist(), a.package_required_level[p].tolist(), strict=True
    ):
        has = int(a.talent_level[t, skill])
        if level > 0 and has < level:
            needs.append((a.skills[skill], int(level), has))
    if not needs:
        return f"{who} has every required skill"
    if len(needs) == 1:
        name, level, has = needs[0]
        return f"needs {name} at level {level}, {who} has {has or 'none'}"
    asked = _and([f"{name} at level {level}" for name, level, _ in needs])
    held = _and([f"{name} at {has}" if has else f"no {name}" for name, _, has in needs])
    return f"needs {asked}, {who} has {held}"


def availability_detail(a: RoundArrays, t: int, p: int) -> str:
    """``the tour runs 2027-03-01 to 2028-02-29, the talent is available 2027-05-01 to
    2027-12-31``."""
    return (
        f"the tour runs {_day(a.package_start[p])} to {_day(a.package_end[p])}, the talent "
        f"is available {_day(a.talent_from[t])} to {_day(a.talent_to[t])}"
    )


def fte_detail(a: RoundArrays, t: int, p: int) -> str:
    """``needs 0.8, has 0.6``."""
    return f"needs {float(a.package_fte[p]):g}, has {float(a.talent_fte[t]):g}"


def location_detail(a: RoundArrays, t: int, p: int) -> str:
    """``package in 'east-flanders' (onsite), talent in 'brussels'``; for a remote package,
    whether the talent accepts remote work."""
    mode = int(a.package_remote[p])
    text = (
        f"package in '{a.regions[int(a.package_region[p])]}' ({_REMOTE_NAMES[mode]}), "
        f"talent in '{a.regions[int(a.talent_region[t])]}'"
    )
    if mode == REMOTE_CODES[RemoteMode.REMOTE]:
        text += " who does not accept remote work"
    return text


def languages_detail(a: RoundArrays, t: int, p: int) -> str:
    """``needs fr, the talent speaks en and nl``."""
    n = len(a.languages)
    asked = [x for x in a.package_languages[p].tolist() if x < n]
    missing = [a.languages[x] for x in asked if not a.talent_languages[t, x]]
    spoken = [a.languages[x] for x in np.flatnonzero(a.talent_languages[t, :n]).tolist()]
    speaks = f"the talent speaks {_and(spoken)}" if spoken else "the talent lists no language"
    return f"needs {_and(missing or ['nothing more'])}, {speaks}"


def own_organization_detail(a: RoundArrays, t: int, p: int) -> str:
    """``host 'acme' is the talent's own lending organization``."""
    return f"host {_org(a, a.package_host[p])} is the talent's own lending organization"


def competitor_detail(a: RoundArrays, t: int, p: int) -> str:
    """``lender 'bank-a' and host 'bank-b' are competitors``."""
    return (
        f"lender {_org(a, a.talent_lender[t])} and host {_org(a, a.package_host[p])} "
        "are competitors"
    )


def excluded_organization_detail(a: RoundArrays, t: int, p: int) -> str:
    """``the talent excluded host 'acme'``."""
    return f"the talent excluded host {_org(a, a.package_host[p])}"


def forbidden_pair_detail(a: RoundArrays, t: int, p: int) -> str:
    """``the round forbids talent 't' on package 'p'``."""
    return f"the round forbids talent '{a.talent_ids[t]}' on package '{a.package_ids[p]}'"


def cost_split_detail(a: RoundArrays, t: int, p: int) -> str:
    """Each amount over its budget: the host's fee, the lender's top-up, the subsidy."""
    ti, pi = np.array([t]), np.array([p])
    split = cost_split(a, ti, pi)
    fee, topup, subsidy = float(split.host_fee[0]), float(split.topup[0]), float(split.subsidy[0])
    hiring = float(a.org_hiring_budget[a.package_host[p]])
    lending = float(a.org_topup_budget[a.talent_lender[t]])
    over: list[str] = []
    if fee > hiring + _EPS:
        over.append(
            f"the host's fee of {money(fee)}/month exceeds its hiring budget of {money(hiring)}"
        )
    if topup > lending + _EPS:
        over.append(
            f"the lender's top-up of {money(topup)}/month exceeds its top-up budget of "
            f"{money(lending)}"
        )
    pool = a.policy.subsidy_pool
    if pool is not None and subsidy > pool + _EPS:
        over.append(
            f"the subsidy of {money(subsidy)}/month exceeds the platform's pool of {money(pool)}"
        )
    return ", and ".join(over) if over else "every amount fits its budget"


def minimum_fit_detail(a: RoundArrays, t: int, p: int) -> str:
    """``strengths fit 0.31, the policy's minimum 0.5``."""
    fit = float(strengths_fit(a, np.array([t]), np.array([p]))[0])
    return f"strengths fit {fit:.2f}, the policy's minimum {a.policy.min_fit:g}"


def learning_detail(a: RoundArrays, t: int, p: int) -> str:
    """``teaches sql and excel; the talent's open goals: python``."""
    taught = sorted(a.skills[s] for s in a.package_learnable[p].tolist() if s < len(a.skills))
    goals = sorted(
        a.skills[s] for s in np.flatnonzero(a.talent_gain[t] > 0).tolist() if s < len(a.skills)
    )
    teaches = f"teaches {_and(taught)}" if taught else "teaches nothing"
    wants = f"the talent's open goals: {_and(goals)}" if goals else "the talent has no open goal"
    return f"{teaches}; {wants}"


DETAILS: dict[str, Detail] = {
    "age": age_detail,
    "location": location_detail,
    "required_skills": required_skills_detail,
    "availability": availability_detail,
    "fte": fte_detail,
    "languages": languages_detail,
    "own_organization": own_organization_detail,
    "competitor": competitor_detail,
    "excluded_organization": excluded_organization_detail,
    "forbidden_pair": forbidden_pair_detail,
    "cost_split": cost_split_detail,
    "minimum_fit": minimum_fit_detail,
    "learning": learning_detail,
}
assert tuple(DETAILS) == tuple(RULES), "DETAILS must follow RULES"


def failure_details(a: RoundArrays, talent: int, package: int) -> dict[str, str]:
    """Every enforced rule pair (talent, package) fails, with its facts, in rule order."""
    return {rule: DETAILS[rule](a, talent, package) for rule in failing_rules(a, talent, package)}
