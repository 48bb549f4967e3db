"""Eligibility: the hard rules a (talent, package) pair must pass.

Each rule is one vectorized function ``rule(arrays, t, p) -> mask`` over pairs
``(t[i], p[i])`` that is True where the pair passes. :data:`RULES` maps each rule's reason
code to its function, in the order in which exclusions are attributed; :data:`REASONS` says
in words what a failing pair lacks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from matcher.arrays import BoolArray, RoundArrays, row_offsets
from matcher.costs import CostSplit, cost_split
from matcher.floors import teaches_goal
from matcher.models import RULE_NAMES
from matcher.scores import strengths_fit

Indices = npt.NDArray[np.integer]
Rule = Callable[[RoundArrays, Indices, Indices], BoolArray]

_EPS = 1e-9  # money and FTE comparisons tolerate float rounding


def meets_age_policy(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The talent's age is within the policy's [min_age, max_age]."""
    age = a.talent_age[t]
    ok = age >= a.policy.min_age
    if a.policy.max_age is not None:
        ok &= age <= a.policy.max_age
    return np.asarray(ok, dtype=bool)


def has_required_skills(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The talent has every required skill at the required level or above."""
    level = a.talent_level.reshape(-1)
    rows = row_offsets(a.talent_level, t)
    ok = np.ones(np.shape(t), dtype=bool)
    for j in range(a.package_required_skill.shape[1]):  # a pad requires level 0
        ok &= level[rows + a.package_required_skill[:, j][p]] >= a.package_required_level[:, j][p]
    return ok


def is_available_for_tour(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The talent's availability window covers the whole tour."""
    return np.asarray(
        (a.talent_from[t] <= a.package_start[p]) & (a.talent_to[t] >= a.package_end[p]),
        dtype=bool,
    )


def has_enough_fte(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The talent has at least the package's FTE available."""
    return np.asarray(a.talent_fte[t] + _EPS >= a.package_fte[p], dtype=bool)


def location_fits(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """Same region, or a fully remote package and a talent who accepts remote work."""
    same_region = a.talent_region[t] == a.package_region[p]
    remote = (a.package_remote[p] == 2) & a.talent_remote[t]
    return np.asarray(same_region | remote, dtype=bool)


def speaks_languages(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The talent speaks every language the package asks for."""
    spoken = a.talent_languages.reshape(-1)
    rows = row_offsets(a.talent_languages, t)
    ok = np.ones(np.shape(t), dtype=bool)
    for j in range(a.package_languages.shape[1]):  # every talent speaks the pad
        ok &= spoken[rows + a.package_languages[:, j][p]]
    return ok


def not_own_organization(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The host is not the talent's own lending organization."""
    return np.asarray(a.package_host[p] != a.talent_lender[t], dtype=bool)


def not_competitor(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The host is not a competitor of the lending organization (either way round)."""
    lender = a.talent_lender[t]
    host = a.package_host[p]
    ok = np.ones(np.shape(t), dtype=bool)
    for j in range(a.org_competitors.shape[1]):
        ok &= a.org_competitors[:, j][lender] != host
    return ok


def not_excluded_organization(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The talent has not excluded the host organization."""
    host = a.package_host[p]
    ok = np.ones(np.shape(t), dtype=bool)
    for j in range(a.talent_excluded.shape[1]):
        ok &= a.talent_excluded[:, j][t] != host
    return ok


def not_forbidden(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The pair is not on the round's forbidden list."""
    if a.forbidden.size == 0:
        return np.ones(np.shape(t), dtype=bool)
    keys = a.pair_keys(t, p)
    pos = np.minimum(np.searchsorted(a.forbidden, keys), a.forbidden.size - 1)
    return np.asarray(a.forbidden[pos] != keys, dtype=bool)


def cost_split_possible(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The host's fee fits its hiring budget, the top-up fits the lender's top-up budget,
    and the subsidy fits the platform pool."""
    return split_fits_budgets(a, t, p, cost_split(a, t, p))


def split_fits_budgets(a: RoundArrays, t: Indices, p: Indices, split: CostSplit) -> BoolArray:
    """:func:`cost_split_possible` on the pairs' split, when it is already at hand."""
    ok = split.host_fee <= a.org_hiring_budget[a.package_host[p]] + _EPS
    ok &= split.topup <= a.org_topup_budget[a.talent_lender[t]] + _EPS
    if a.policy.subsidy_pool is not None:
        ok &= split.subsidy <= a.policy.subsidy_pool + _EPS
    return np.asarray(ok, dtype=bool)


def meets_minimum_fit(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The strengths fit reaches the policy's minimum."""
    if a.policy.min_fit <= 0:  # every fit is >= 0: skip computing it
        return np.ones(np.shape(t), dtype=bool)
    return np.asarray(strengths_fit(a, t, p) + _EPS >= a.policy.min_fit, dtype=bool)


def teaches_a_goal(a: RoundArrays, t: Indices, p: Indices) -> BoolArray:
    """The package teaches at least one of the talent's learning goals not yet mastered
    (off unless the policy names it: ``rules: {"learning": true}``)."""
    return teaches_goal(a, t, p)


RULES: dict[str, Rule] = {
    "age": meets_age_policy,
    "location": location_fits,
    "required_skills": has_required_skills,
    "availability": is_available_for_tour,
    "fte": has_enough_fte,
    "languages": speaks_languages,
    "own_organization": not_own_organization,
    "competitor": not_competitor,
    "excluded_organization": not_excluded_organization,
    "forbidden_pair": not_forbidden,
    "cost_split": cost_split_possible,
    "minimum_fit": meets_minimum_fit,
    "learning": teaches_a_goal,
}
assert tuple(RULES) == RULE_NAMES, "RULES must follow models.RULE_NAMES"

REASONS: dict[str, str] = {
    "age": "outside the age policy",
    "location": "wrong region and not remote",
    "required_skills": "lacks a required skill or level",
    "availability": "not available for the whole tour",
    "fte": "not enough FTE available",
    "languages": "does not speak a required language",
    "own_organization": "host is the talent's own organization",
    "competitor": "host competes with the lending organization",
    "excluded_organization": "talent excluded the host organization",
    "forbidden_pair": "pair is forbidden in this round",
    "cost_split": "fee or top-up does not fit the budgets",
    "minimum_fit": "strengths fit below the policy minimum",
    "learning": "package teaches none of the talent's learning goals",
}


def active_rules(a: RoundArrays) -> dict[str, Rule]:
    """The rules the round's policy enforces, in attribution order."""
    return {name: rule for name, rule in RULES.items() if a.policy.rule_on(name)}


def failing_rules(a: RoundArrays, talent: int, package: int) -> list[str]:
    """Reason codes of every enforced rule that pair (talent, package) fails."""
    t = np.array([talent])
    p = np.array([package])
    return [name for name, rule in active_rules(a).items() if not rule(a, t, p)[0]]
