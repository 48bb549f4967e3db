"""Tiny hand-made rounds for the unit tests: records with sensible defaults, one override
at a time, and a seeded generator of small random rounds for the property tests."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.arrays import RoundArrays, encode_round
from matcher.models import (
    RULE_NAMES,
    SCORE_NAMES,
    Organization,
    Pair,
    Policy,
    Round,
    Talent,
    WorkPackage,
)

PILOT = Path(__file__).resolve().parents[2] / "examples" / "pilot"


def org(org_id: str, **fields: Any) -> Organization:
    """An organization that lends and hosts, in sector ``default``, with no budget limits."""
    base: dict[str, Any] = {"id": org_id, "name": org_id.title(), "sector": "default"}
    return Organization.model_validate(base | fields)


def talent(talent_id: str, lender: str = "lender", **fields: Any) -> Talent:
    """A 55-year-old full-time talent in Ghent, available for all of 2027-2028."""
    base: dict[str, Any] = {
        "id": talent_id,
        "lender": lender,
        "age": 55,
        "salary": 5000.0,
        "available_from": dt.date(2027, 1, 1),
        "available_to": dt.date(2028, 12, 31),
        "region": "ghent",
    }
    return Talent.model_validate(base | fields)


def package(package_id: str, host: str = "host", **fields: Any) -> WorkPackage:
    """A one-seat, full-time, onsite package in Ghent from March to December 2027."""
    base: dict[str, Any] = {
        "id": package_id,
        "host": host,
        "title": f"Package {package_id}",
        "seats": 1,
        "start": dt.date(2027, 3, 1),
        "end": dt.date(2027, 12, 31),
        "fee_cap": 10_000.0,
        "region": "ghent",
    }
    return WorkPackage.model_validate(base | fields)


def make_round(
    talents: Sequence[Talent],
    packages: Sequence[WorkPackage],
    organizations: Sequence[Organization] | None = None,
    **fields: Any,
) -> Round:
    """A round; by default with two organizations, ``lender`` (finance) and ``host`` (public)."""
    if organizations is None:
        organizations = [org("lender", sector="finance"), org("host", sector="public")]
    return Round(
        organizations=list(organizations),
        talents=list(talents),
        packages=list(packages),
        **fields,
    )


def encode(
    talents: Sequence[Talent],
    packages: Sequence[WorkPackage],
    organizations: Sequence[Organization] | None = None,
    **fields: Any,
) -> RoundArrays:
    """The arrays of :func:`make_round`."""
    return encode_round(make_round(talents, packages, organizations, **fields))


def grid(a: RoundArrays) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every (talent, package) pair, talent-major."""
    t, p = np.meshgrid(np.arange(a.n_talents), np.arange(a.n_packages), indexing="ij")
    return t.ravel().astype(np.int64), p.ravel().astype(np.int64)


def pair(t: int, p: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """One pair as index arrays."""
    return np.array([t], dtype=np.int64), np.array([p], dtype=np.int64)


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
