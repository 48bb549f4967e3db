"""Reference implementations the tests compare the engine with, and the random market
they run on: plain-Python definitions, slow and obviously right."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import numpy as np

from matcher.models import Organization, Round
from matcher.preferences import Preferences, Side
from tests.factories import make_round, org, package, talent

SIDES: tuple[Side, ...] = ("talents", "packages")
"""The two proposing sides."""

_SKILLS = ("audit", "sql", "coaching", "law", "python", "risk")
_VALUES = ("care", "impact", "integrity", "autonomy")


def market_round(
    seed: int,
    n_talents: int,
    n_packages: int,
    *,
    max_seats: int = 2,
    list_share: float = 0.0,
    hiring_budget: float | None = None,
    **fields: Any,
) -> Round:
    """A random round in which every (talent, package) pair is eligible.

    Packages have desired skills only, and everyone is in Ghent and available, so scores
    (and so derived preferences) vary while eligibility does not. A share ``list_share`` of
    talents and packages state random partial lists. ``hiring_budget`` applies to the one
    host, ``host``; the lender is ``lend``. Tours run from March to December 2027.
    """
    rng = random.Random(seed)
    talents = []
    for i in range(n_talents):
        listed = rng.random() < list_share
        talents.append(
            talent(
                f"t{i}",
                strengths={s: rng.randint(1, 5) for s in rng.sample(_SKILLS, 3)},
                learning_goals={s: rng.choice((0.5, 1.0)) for s in rng.sample(_SKILLS, 2)},
                values=rng.sample(_VALUES, rng.randint(0, 2)),
                salary=float(rng.randint(40, 90) * 100),
                preferences=(
                    rng.sample([f"p{j}" for j in range(n_packages)], rng.randint(1, n_packages))
                    if listed
                    else []
                ),
            )
        )
    packages = []
    for j in range(n_packages):
        listed = rng.random() < list_share
        packages.append(
            package(
                f"p{j}",
                end=dt.date(2027, 12, 31),
                desired={s: rng.choice((0.5, 1.0)) for s in rng.sample(_SKILLS, 3)},
                learnable=rng.sample(_SKILLS, 2),
                values=rng.sample(_VALUES, rng.randint(0, 2)),
                seats=rng.randint(1, max_seats),
                fee_cap=float(rng.randint(20, 60) * 100),
                ranking=(
                    rng.sample([f"t{i}" for i in range(n_talents)], rng.randint(1, n_talents))
                    if listed
                    else []
                ),
            )
        )
    orgs: list[Organization] = [
        org("lend", sector="finance"),
        org("host", sector="public", hiring_budget=hiring_budget),
    ]
    return make_round(talents, packages, orgs, **fields)


def brute_force_blocking(prefs: Preferences, edges: list[int]) -> set[int]:
    """Blocking edges by the definition, one edge at a time, in plain Python."""
    chosen = set(edges)
    beyond = 10**9

    def rank_or_beyond(rank: int) -> int:
        return rank if rank >= 0 else beyond

    talent_has: dict[int, int] = {}
    package_holds: dict[int, list[int]] = {}
    for e in chosen:
        t, p = int(prefs.talent[e]), int(prefs.package[e])
        talent_has[t] = max(talent_has.get(t, -1), rank_or_beyond(int(prefs.talent_rank[e])))
        package_holds.setdefault(p, []).append(rank_or_beyond(int(prefs.package_rank[e])))
    out = set()
    for e in range(prefs.n_edges):
        if e in chosen or prefs.talent_rank[e] < 0:
            continue
        t, p = int(prefs.talent[e]), int(prefs.package[e])
        talent_wants = prefs.talent_rank[e] < talent_has.get(t, beyond)
        holds = package_holds.get(p, [])
        package_wants = len(holds) < prefs.seats[p] or prefs.package_rank[e] < max(
            holds, default=-1
        )
        if talent_wants and package_wants:
            out.add(e)
    return out


def stable_matchings(prefs: Preferences) -> list[list[int]]:
    """Every matching over acceptable edges that respects seats and has no blocking pair."""
    options = [[None, *prefs.talent_list(t).tolist()] for t in range(prefs.n_talents)]
    out = []
    for choice in itertools.product(*options):
        edges = [e for e in choice if e is not None]
        per_package = np.bincount(prefs.package[edges], minlength=prefs.n_packages)
        if (per_package <= prefs.seats).all() and not brute_force_blocking(prefs, edges):
            out.append(edges)
    return out
