"""Test data, one set for every test module.

Records with defaults that make a talent and a package an eligible, scored pair (override
one field at a time), rounds built from them, the pilot round's folder, a seeded generator
of small random rounds, a hypothesis strategy of tiny rounds, and a policy with every rule
on.

The defaults, in one place:

- :func:`org`: an organization that lends and hosts, named and in a sector of its own
  (``sector-<id>``), with no budget limits;
- :func:`talent`: lent by ``lend``, 55 years old, full time, salary 5000, in Ghent,
  available from 2027-01-01 to 2028-12-31, python level 3;
- :func:`package`: hosted by ``host``, one full-time seat in Ghent, onsite, from 2027-03-01
  to 2027-08-31, fee cap 5000, desires python (weight 1);
- :func:`make_round`: the default policy, and the organizations ``lend`` and ``host``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

from matcher.arrays import RoundArrays, encode_round
from matcher.compile import compile_round
from matcher.models import (
    RULE_NAMES,
    SCORE_NAMES,
    Organization,
    Pair,
    Policy,
    PreviousPlacement,
    Round,
    Talent,
    WorkPackage,
)

PILOT = Path(__file__).resolve().parents[1] / "examples" / "pilot"
"""The pilot round's folder (six talents, six packages, hand-checked numbers)."""

PILOT_PLACEMENTS = [("ann", "coop-finance"), ("chloe", "city-data"), ("els", "insurer-coaching")]
"""The pilot's optimal assignment (3 placements, score 1952 in thousandths), whose cost split
and KPIs test_evaluator computes by hand."""

START = dt.date(2027, 1, 1)
"""The first day every default talent is available."""

INTERVALS = (
    (dt.date(2027, 3, 1), dt.date(2027, 8, 31)),
    (dt.date(2027, 6, 1), dt.date(2027, 12, 31)),
    (dt.date(2027, 9, 1), dt.date(2028, 2, 29)),
)
"""Tour intervals: the first two overlap, the first and last do not; the first is the
default package's."""


# ---------------------------------------------------------------- records and rounds


def org(org_id: str, **fields: Any) -> Organization:
    """An organization that lends and hosts, in sector ``sector-<org_id>``, without budget
    limits."""
    base: dict[str, Any] = {"id": org_id, "name": org_id, "sector": f"sector-{org_id}"}
    return Organization.model_validate(base | fields)


def talent(talent_id: str, lender: str = "lend", **fields: Any) -> Talent:
    """A 55-year-old full-time talent in Ghent, salary 5000, available 2027-2028, python
    level 3."""
    base: dict[str, Any] = {
        "id": talent_id,
        "lender": lender,
        "age": 55,
        "salary": 5000.0,
        "available_from": START,
        "available_to": dt.date(2028, 12, 31),
        "region": "ghent",
        "strengths": {"python": 3},
    }
    return Talent.model_validate(base | fields)


def package(package_id: str, host: str = "host", **fields: Any) -> WorkPackage:
    """A one-seat full-time onsite package in Ghent, March to August 2027, fee cap 5000,
    desiring python."""
    base: dict[str, Any] = {
        "id": package_id,
        "host": host,
        "title": package_id,
        "seats": 1,
        "start": INTERVALS[0][0],
        "end": INTERVALS[0][1],
        "fee_cap": 5000.0,
        "region": "ghent",
        "desired": {"python": 1.0},
    }
    return WorkPackage.model_validate(base | fields)


def make_round(
    talents: Sequence[Talent],
    packages: Sequence[WorkPackage],
    orgs: Sequence[Organization] | None = None,
    **fields: Any,
) -> Round:
    """A round (``fields``: policy, pins, ...), by default with the organizations ``lend``
    and ``host``."""
    if orgs is None:
        orgs = [org("lend"), org("host")]
    return Round(organizations=list(orgs), talents=list(talents), packages=list(packages), **fields)


def with_pairs(round_: Round, **pairs: Sequence[tuple[str, ...]]) -> Round:
    """``round_`` with its ``pins``, ``forbidden`` or ``previous`` replaced, validated again.

    Pins and forbidden pairs are ``(talent, package)``; previous placements are
    ``(talent, package, status)``.
    """
    document = round_.model_dump()
    for field, items in pairs.items():
        keys = ("talent", "package", "status")
        document[field] = [dict(zip(keys, item, strict=False)) for item in items]
    return Round.model_validate(document)


EVERY_RULE = Policy(
    subsidy_share=0.3,
    subsidy_pool=4_000.0,
    min_per_lender=2,
    max_host_share=0.2,
    fairness="soft",
)
"""A policy with every rule on: subsidy pool, lender minimum and host share, all soft."""


# ---------------------------------------------------------------- arrays


def encode(
    talents: Sequence[Talent],
    packages: Sequence[WorkPackage],
    orgs: Sequence[Organization] | None = None,
    **fields: Any,
) -> RoundArrays:
    """The arrays of :func:`make_round`."""
    return encode_round(make_round(talents, packages, orgs, **fields))


def grid(a: RoundArrays) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every (talent, package) pair, talent-major."""
    t, p = np.meshgrid(np.arange(a.n_talents), np.arange(a.n_packages), indexing="ij")
    return t.ravel().astype(np.int64), p.ravel().astype(np.int64)


def pair(t: int, p: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """One pair as index arrays."""
    return np.array([t], dtype=np.int64), np.array([p], dtype=np.int64)


# ---------------------------------------------------------------- random rounds

_SKILLS = ("python", "sql", "risk", "coaching", "finance", "law")
_VALUES = ("integrity", "impact", "autonomy", "care")
_LANGUAGES = ("nl", "fr", "en")
_REGIONS = ("ghent", "antwerp")
_WEIGHTS = (0.1, 0.3, 1 / 3, 0.7, 1.0, 2.0)  # some with no exact binary form


def _some(rng: random.Random, items: Sequence[str], most: int) -> list[str]:
    return rng.sample(list(items), rng.randint(0, min(most, len(items))))


def random_round(
    seed: int,
    n_talents: int | None = None,
    n_packages: int | None = None,
    rule_on: float = 0.85,
) -> Round:
    """A small random round that exercises every eligibility rule and score.

    Vocabularies are tiny so that skills, values, regions and languages collide often;
    budgets, competitors, exclusions and forbidden pairs are drawn at random, and some rules
    are switched off (each is on with probability ``rule_on``). There are no pins (the
    compile tests add them on eligible pairs).
    """
    rng = random.Random(seed)
    n_talents = rng.randint(1, 12) if n_talents is None else n_talents
    n_packages = rng.randint(1, 10) if n_packages is None else n_packages
    n_orgs = rng.randint(2, 5)
    org_ids = [f"o{i}" for i in range(n_orgs)]

    def budget(high: float) -> float | None:
        return None if rng.random() < 0.5 else round(rng.uniform(0, high), 2)

    orgs = []
    for i, org_id in enumerate(org_ids):
        rivals = [o for o in org_ids[:i] if rng.random() < 0.3]
        orgs.append(
            Organization(
                id=org_id,
                name=f"Org {i}",
                sector=rng.choice(("finance", "public", "energy")),
                structure=rng.choice(("hierarchical", "flat")),
                competitors=rivals,
                topup_budget=budget(3000),
                hiring_budget=budget(9000),
            )
        )
    start = dt.date(2027, 1, 1)
    talents = []
    for i in range(n_talents):
        first = start + dt.timedelta(days=rng.randint(0, 60))
        talents.append(
            Talent(
                id=f"t{i}",
                lender=rng.choice(org_ids),
                age=rng.randint(47, 70),
                strengths={s: rng.randint(1, 5) for s in rng.sample(_SKILLS, rng.randint(1, 5))},
                learning_goals={s: rng.choice(_WEIGHTS) for s in _some(rng, _SKILLS, 3)},
                values=_some(rng, _VALUES, 3),
                salary=round(rng.uniform(3000, 9000), 2),
                retention=rng.choice((1.0, 0.9, 0.75)),
                fte=rng.choice((1.0, 0.8, 0.5)),
                available_from=first,
                available_to=first + dt.timedelta(days=rng.randint(300, 900)),
                region=rng.choice(_REGIONS),
                accepts_remote=rng.random() < 0.7,
                languages=rng.sample(_LANGUAGES, rng.randint(1, 3)),
                alumni=_some(rng, org_ids, 1),
                network=_some(rng, org_ids, 2),
                excluded=_some(rng, org_ids, 1),
            )
        )
    packages = []
    for i in range(n_packages):
        begin = start + dt.timedelta(days=rng.randint(20, 150))
        skills = _some(rng, _SKILLS, 4)
        n_required = rng.randint(0, min(1, len(skills)))
        packages.append(
            WorkPackage(
                id=f"p{i}",
                host=rng.choice(org_ids),
                title=f"Package {i}",
                required={s: rng.randint(1, 3) for s in skills[:n_required]},
                desired={s: rng.choice(_WEIGHTS) for s in skills[n_required:]},
                learnable=_some(rng, _SKILLS, 2),
                values=_some(rng, _VALUES, 2),
                seats=rng.randint(1, 3),
                fte=rng.choice((1.0, 0.8, 0.5)),
                start=begin,
                end=begin + dt.timedelta(days=rng.randint(60, 300)),
                fee_cap=round(rng.uniform(1000, 8000), 2),
                region=rng.choice(_REGIONS),
                remote=rng.choice(("onsite", "hybrid", "remote")),
                languages=_some(rng, _LANGUAGES, 1),
            )
        )
    for t in range(n_talents):
        prefs = _some(rng, [p.id for p in packages], 3)
        talents[t] = talents[t].model_copy(update={"preferences": prefs})
    for p in range(n_packages):
        ranking = _some(rng, [t.id for t in talents], 3)
        packages[p] = packages[p].model_copy(update={"ranking": ranking})
    all_pairs = [(t.id, p.id) for t in talents for p in packages]
    forbidden = [Pair(talent=x, package=y) for x, y in rng.sample(all_pairs, len(all_pairs) // 6)]
    policy = Policy(
        weights={name: rng.choice((0.0, 1.0, 2.0, 3.0)) for name in SCORE_NAMES},
        rules={name: rng.random() < rule_on for name in RULE_NAMES},
        min_age=rng.choice((0, 50, 52)),
        max_age=rng.choice((None, 60, 68)),
        min_fit=rng.choice((0.0, 0.0, 0.2, 0.5)),
        subsidy_share=rng.choice((0.0, 0.25, 0.5)),
        subsidy_pool=rng.choice((None, 300.0, 2000.0)),
    )
    return Round(
        id=f"random-{seed}",
        organizations=orgs,
        talents=talents,
        packages=packages,
        policy=policy,
        forbidden=forbidden,
    )


# ---------------------------------------------------------------- hypothesis


@st.composite
def tiny_rounds(draw: st.DrawFn, seat_only: bool = False) -> Round:
    """Random tiny rounds: 2-5 talents, 1-4 packages, random budgets, seats, FTE, dates
    and policies; some with pins and previous placements (never ineligible ones)."""
    max_tours = 1 if seat_only else draw(st.sampled_from([1, 1, 2]))
    n_talents = draw(st.integers(2, 3 if max_tours > 1 else 5))
    n_packages = draw(st.integers(1, 3 if max_tours > 1 else 4))
    budget = st.none() if seat_only else st.sampled_from([None, None, 2500.0, 5000.0, 8000.0])
    topup = st.none() if seat_only else st.sampled_from([None, None, 500.0, 2000.0, 4000.0])
    orgs = [
        org("a", hiring_budget=draw(budget), topup_budget=draw(topup)),
        org("b", hiring_budget=draw(budget), topup_budget=draw(topup)),
        org("c", hiring_budget=draw(budget), topup_budget=draw(topup)),
    ]
    talents = [
        talent(
            f"t{i}",
            lender=draw(st.sampled_from(["a", "b"])),
            salary=draw(st.sampled_from([3000.0, 4000.0, 5500.0, 7000.0])),
            fte=1.0 if seat_only else draw(st.sampled_from([0.6, 0.8, 1.0])),
            strengths={
                "python": draw(st.integers(1, 5)),
                "sql": draw(st.integers(1, 5)),
            },
        )
        for i in range(n_talents)
    ]
    packages = []
    for j in range(n_packages):
        start, end = draw(st.sampled_from(INTERVALS))
        packages.append(
            package(
                f"p{j}",
                host=draw(st.sampled_from(["b", "c"])),
                seats=draw(st.integers(1, 2)),
                fte=0.5 if seat_only else draw(st.sampled_from([0.4, 0.5, 0.6, 1.0])),
                start=start,
                end=end,
                fee_cap=draw(st.sampled_from([2000.0, 3000.0, 5000.0])),
                desired={"python": 1.0, "sql": draw(st.sampled_from([0.3, 1.0]))},
            )
        )
    if seat_only:
        policy = Policy(
            objective=draw(st.sampled_from(["lexicographic", "weighted"])),
            placement_weight=draw(st.sampled_from([0.0, 0.5, 1.0])),
        )
    else:
        subsidy_share = draw(st.sampled_from([0.0, 0.5]))
        policy = Policy(
            max_tours_per_talent=max_tours,
            subsidy_share=subsidy_share,
            subsidy_pool=draw(st.sampled_from([None, 500.0, 1500.0])) if subsidy_share else None,
            min_per_lender=draw(st.sampled_from([0, 0, 1, 2])),
            max_host_share=draw(st.sampled_from([1.0, 1.0, 0.5, 0.67])),
            fairness=draw(st.sampled_from(["soft", "hard"])),
            fairness_penalty=draw(st.sampled_from([0.0, 0.5, 2.0])),
            disruption_penalty=draw(st.sampled_from([0.0, 0.2, 1.0])),
            objective=draw(st.sampled_from(["lexicographic", "weighted"])),
            placement_weight=draw(st.sampled_from([0.0, 0.5, 1.0])),
            rules={"cost_split": draw(st.booleans())},
        )
    round_ = make_round(talents, packages, orgs, policy=policy)
    compiled = compile_round(round_)
    if compiled.n_edges == 0:
        return round_
    a = compiled.arrays
    pairs = [
        (a.talent_ids[t], a.package_ids[p])
        for t, p in zip(compiled.talent.tolist(), compiled.package.tolist(), strict=True)
    ]
    picks = draw(st.lists(st.sampled_from(pairs), max_size=0 if seat_only else 2, unique=True))
    pins = [Pair(talent=t, package=p) for t, p in picks[:1]] if draw(st.booleans()) else []
    kinds = st.sampled_from(["proposed", "proposed", "accepted"])
    previous = [
        PreviousPlacement(talent=t, package=p, status=draw(kinds))
        for t, p in (picks[1:] if pins else picks)
    ]
    return round_.model_copy(update={"pins": pins, "previous": previous})
