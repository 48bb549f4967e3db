"""Seeded, realistic synthetic rounds.

:func:`generate_round` builds a :class:`~matcher.models.Round` of organizations, talents and
work packages from the vocabularies in :mod:`matcher.vocabulary`. Every random number comes
from one :class:`numpy.random.Generator` seeded with ``seed`` and is drawn in arrays, record
kind by record kind; the pydantic models are then built (and validated) in one loop per kind.
The same seed and sizes always give the same round: dates count from the fixed
:data:`BASE_DATE`, never from today.

The shapes follow the domain:

- organizations lend, host or both, by sector; small, tech and non-profit ones are often flat;
  some pairs in the same sector compete;
- talents are mostly 50-66 (a few younger, so that the age rule bites), hold 4-8 skills in one
  or two families of their lender's sector and want to learn skills of other families;
- packages ask for 1-3 skills of a family their host's sector needs, teach skills of another;
- hiring and top-up budgets are set below what the packages and talents would use, so that
  they bind without making most rounds infeasible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from matcher import vocabulary as voc
from matcher.models import (
    Organization,
    Policy,
    RemoteMode,
    Role,
    Round,
    Structure,
    Talent,
    WorkPackage,
)

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Dates = npt.NDArray[np.datetime64]

BASE_DATE: Final = dt.date(2027, 1, 1)
"""Day zero of every generated round: availability and tours start after it."""
TYPICAL_SALARY: Final = 6_500.0
"""Median monthly employer cost of a talent at full time, in EUR."""


class Size(NamedTuple):
    """Numbers of talents and packages of a generated round."""

    talents: int
    packages: int


TINY: Final = Size(40, 10)
SMALL: Final = Size(400, 100)
DEMO: Final = Size(500, 150)
MEDIUM: Final = Size(2_000, 500)
LARGE: Final = Size(20_000, 5_000)
HUGE: Final = Size(100_000, 20_000)
PRESETS: Final[dict[str, Size]] = {
    "tiny": TINY,
    "small": SMALL,
    "demo": DEMO,
    "medium": MEDIUM,
    "large": LARGE,
    "huge": HUGE,
}
"""Named round sizes, from unit tests (tiny) to load tests (huge)."""

ROLES: Final = (Role.LENDER, Role.HOST, Role.BOTH)
LENDER, HOST, BOTH = 0, 1, 2  # indices into ROLES
REMOTE_MODES: Final = (RemoteMode.ONSITE, RemoteMode.HYBRID, RemoteMode.REMOTE)
REMOTE = 2  # index into REMOTE_MODES

# The shape parameters below were tuned so that, under the default policy, a 2,000 x 500
# round gives 10-20 eligible packages per talent, at least one for most talents, and
# exclusions under every rule (see tests/matcher/test_generator.py).

# Skills: popularity within a family falls as 1 / (rank + 1) ** POPULARITY_EXPONENT, so a
# few core skills are widely held and widely asked for, which is what lets people move
# across sectors at all.
POPULARITY_EXPONENT: Final = 2.2
# Seniors are lent for their experience: many packages ask for a senior career family
# (leadership, projects and change, people) whatever the host's sector, and most talents
# hold one as their second family, often with one core skill of another career family.
CAREER_ASK: Final = 0.6  # share of packages asking for a career family
SECOND_FAMILY_SHARE: Final = 0.9  # talents with a second family
CAREER_SECOND: Final = 0.9  # weight of career families in picking the second family
SECOND_FAMILY_SKILLS: Final = 0.5  # expected share of a talent's skills in the second family
CAREER_EXTRA_SHARE: Final = 0.7  # talents with one core skill of a third, career family
LEVEL_WEIGHTS: Final = (0.0, 0.0, 0.08, 0.22, 0.37, 0.33)  # strength levels 0-5
REQUIRED_COUNT_WEIGHTS: Final = (0.75, 0.19, 0.06)  # 1, 2 or 3 required skills
REQUIRED_LEVEL_WEIGHTS: Final = (0.0, 0.0, 0.35, 0.45, 0.20)  # required levels 0-4
SKILL_WEIGHTS: Final = (0.3, 0.5, 0.8, 1.0)  # learning-goal and desired-skill weights

# People, places and time
AGES: Final = tuple(range(50, 67))
AGE_WEIGHTS: Final = (6, 7, 8, 8, 9, 9, 9, 9, 9, 8, 8, 7, 6, 4, 3, 2, 1)
YOUNGER_SHARE: Final = 0.03  # talents aged 45-49, whom the default age policy excludes
ORG_SIZE_SIGMA: Final = 0.8  # organization sizes are lognormal: a few large ones
TOUR_MONTH_WEIGHTS: Final = (0.2, 0.25, 0.3, 0.15, 0.1)  # tours of 6, 9, 12, 18, 24 months
REMOTE_ENGLISH_SHARE: Final = 0.35  # remote packages working in English only

# Budgets
NO_TOPUP_SHARE: Final = 0.1  # lenders that pay no top-up at all
UNLIMITED_SHARE: Final = 0.1  # organizations without a budget limit


def generate_round(
    n_talents: int,
    n_packages: int | None = None,
    seed: int = 0,
    policy: Policy | None = None,
) -> Round:
    """Generate a seeded synthetic round.

    Parameters
    ----------
    n_talents
        Number of talents (at least 1).
    n_packages
        Number of work packages (at least 1); defaults to ``max(5, n_talents // 4)``.
    seed
        Seed of the random generator: the same seed and sizes give an equal round.
    policy
        Policy of the round; defaults to ``Policy()``.

    Returns
    -------
    Round
        A validated round with about ``max(6, n_talents // 40)`` organizations.

    Raises
    ------
    ValueError
        If a size is below 1.
    """
    n_packages = max(5, n_talents // 4) if n_packages is None else n_packages
    if n_talents < 1 or n_packages < 1:
        raise ValueError(
            f"sizes must be at least 1, got {n_talents} talents, {n_packages} packages"
        )
    rng = np.random.default_rng(seed)
    tables = _tables()
    orgs = _draw_organizations(rng, tables, max(6, n_talents // 40))
    packages = _draw_packages(rng, tables, orgs, n_packages)
    talents = _draw_talents(rng, tables, orgs, n_talents)
    preferences = _draw_preferences(rng, talents, packages, tables.n_families)
    rankings = _draw_rankings(rng, talents, packages, tables.n_families)
    hiring = _hiring_budgets(rng, orgs, packages)
    topups = _topup_budgets(rng, orgs, talents, packages)

    org_models = _build_organizations(orgs, hiring, topups)
    org_ids = [o.id for o in org_models]
    talent_ids = _ids("t", n_talents, 5)
    package_ids = _ids("p", n_packages, 5)
    return Round(
        id=f"synthetic-{n_talents}x{n_packages}-seed{seed}",
        name=f"Synthetic round: {n_talents:,} talents, {n_packages:,} packages (seed {seed})",
        organizations=org_models,
        talents=_build_talents(talents, tables, talent_ids, org_ids, package_ids, preferences),
        packages=_build_packages(packages, tables, package_ids, org_models, talent_ids, rankings),
        policy=policy if policy is not None else Policy(),
    )


def generate_preset(name: str, seed: int = 0, policy: Policy | None = None) -> Round:
    """Generate a round of the named size in :data:`PRESETS`.

    Parameters
    ----------
    name
        A key of :data:`PRESETS`.
    seed, policy
        As for :func:`generate_round`.

    Raises
    ------
    KeyError
        If ``name`` is not a preset.
    """
    if name not in PRESETS:
        raise KeyError(f"unknown size preset {name!r}; known: {', '.join(PRESETS)}")
    size = PRESETS[name]
    return generate_round(size.talents, size.packages, seed=seed, policy=policy)


# --- vocabulary tables --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Tables:
    """The vocabularies as index arrays; sectors, families, values, regions and languages
    are indices into the tuples of :mod:`matcher.vocabulary`."""

    skills: tuple[str, ...]
    family_skills: Ints  # (F, width) skill index, -1 pad
    family_log_popularity: Floats  # (F, width), -inf pad
    sector_affinity: Floats  # (sectors, F)
    career: Floats  # (F,)
    interest: Floats  # (F,)
    sector_share: Floats
    sector_flat: Floats
    sector_roles: Floats  # (sectors, 3): lender, host, both
    sector_rivalry: Floats
    sector_values: Floats  # (sectors, V)
    region_population: Floats
    region_headquarters: Floats
    region_speaks: Bools  # (R, L)
    region_main: Floats  # (R, L): chance that each language is the main one

    @property
    def n_families(self) -> int:
        return int(self.family_skills.shape[0])


@cache
def _tables() -> _Tables:
    families = list(voc.SKILL_FAMILIES)
    width = max(len(s) for s in voc.SKILL_FAMILIES.values())
    family_skills = np.full((len(families), width), -1, dtype=np.int64)
    log_pop = np.full((len(families), width), -np.inf)
    index = {skill: i for i, skill in enumerate(voc.SKILLS)}
    for f, name in enumerate(families):
        members = voc.SKILL_FAMILIES[name]
        family_skills[f, : len(members)] = [index[s] for s in members]
        log_pop[f, : len(members)] = -POPULARITY_EXPONENT * np.log(np.arange(1, len(members) + 1))

    def by_family(weights: Mapping[str, float]) -> Floats:
        return np.array([float(weights.get(f, 0.0)) for f in families])

    sectors = voc.SECTORS
    languages = voc.LANGUAGES
    speaks = np.array(
        [[lang in voc.REGION_LANGUAGES[r] for lang in languages] for r in voc.REGIONS]
    )
    main = np.zeros(speaks.shape)
    for r, region in enumerate(voc.REGIONS):
        spoken = [languages.index(x) for x in voc.REGION_LANGUAGES[region]]
        # the most spoken language leads; in bilingual regions the other one often does too
        main[r, spoken] = 0.35 / max(len(spoken) - 1, 1)
        main[r, spoken[0]] = 1.0 if len(spoken) == 1 else 0.65
    return _Tables(
        skills=voc.SKILLS,
        family_skills=family_skills,
        family_log_popularity=log_pop,
        sector_affinity=np.stack([_normalized(by_family(voc.SECTOR_AFFINITY[s])) for s in sectors]),
        career=_normalized(by_family(voc.CAREER_FAMILIES)),
        interest=by_family(voc.LEARNING_INTEREST),
        sector_share=np.array([voc.SECTOR_SHARE[s] for s in sectors]),
        sector_flat=np.array([voc.SECTOR_FLAT_SHARE[s] for s in sectors]),
        sector_roles=np.array([voc.SECTOR_ROLE_SHARES[s] for s in sectors]),
        sector_rivalry=np.array([voc.SECTOR_RIVALRY[s] for s in sectors]),
        sector_values=np.array(
            [[voc.SECTOR_VALUES[s].get(v, 1.0) for v in voc.VALUES] for s in sectors]
        ),
        region_population=_normalized(np.array([voc.REGION_POPULATION[r] for r in voc.REGIONS])),
        region_headquarters=_normalized(
            np.array([voc.REGION_HEADQUARTERS[r] for r in voc.REGIONS], dtype=np.float64)
        ),
        region_speaks=speaks,
        region_main=main,
    )


# --- sampling helpers ---------------------------------------------------------------------


def _normalized(weights: Floats) -> Floats:
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def _choice_rows(rng: np.random.Generator, weights: Floats) -> Ints:
    """One column per row of ``weights`` (n, m), with probability proportional to the row.

    Every row needs a positive weight somewhere.
    """
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cumulative[:, -1]
    picked = (cumulative <= u[:, None]).sum(axis=1)
    return np.asarray(np.minimum(picked, weights.shape[1] - 1), dtype=np.int64)


def _rank_rows(rng: np.random.Generator, log_weights: Floats) -> Ints:
    """Columns of every row in a weighted random order, without replacement.

    Perturbing log-weights with Gumbel noise and sorting draws a weighted sample without
    replacement for all rows at once; columns with weight 0 (log -inf) come last.
    """
    keys = log_weights + rng.gumbel(size=log_weights.shape)
    return np.argsort(-keys, axis=1, kind="stable").astype(np.int64)


def _family_ranking(rng: np.random.Generator, tables: _Tables, family: Ints) -> Ints:
    """For each row, the skills of ``family[i]`` in a popularity-weighted random order."""
    order = _rank_rows(rng, tables.family_log_popularity[family])
    return np.take_along_axis(tables.family_skills[family], order, axis=1)


def _without(weights: Floats, *columns: Ints) -> Floats:
    """``weights`` (n, m) with, in each row, the columns in ``columns`` set to 0."""
    out = weights.copy()
    rows = np.arange(weights.shape[0])
    for cols in columns:
        valid = cols >= 0
        out[rows[valid], cols[valid]] = 0.0
    return out


def _counts(
    rng: np.random.Generator, n: int, values: tuple[int, ...], p: tuple[float, ...]
) -> Ints:
    return rng.choice(np.array(values, dtype=np.int64), size=n, p=np.array(p))


def _pick(rng: np.random.Generator, n: int, pool: Ints, weights: Floats) -> Ints:
    """``n`` draws from ``pool`` with probability proportional to ``weights``."""
    return pool[rng.choice(pool.size, size=n, p=_normalized(weights))]


def _month_starts(offsets: Ints) -> Dates:
    """The first day of the month ``offsets`` months after :data:`BASE_DATE`."""
    return (np.datetime64(BASE_DATE, "M") + offsets).astype("datetime64[D]")


def _month_ends(offsets: Ints, months: Ints) -> Dates:
    """The last day of a period of ``months`` months starting ``offsets`` months in."""
    return _month_starts(offsets + months) - np.timedelta64(1, "D")


def _ids(prefix: str, n: int, digits: int) -> list[str]:
    width = max(digits, len(str(n)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


# --- organizations ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Orgs:
    sector: Ints
    role: Ints  # LENDER, HOST or BOTH
    flat: Bools
    size: Floats  # relative headcount
    region: Ints  # headquarters
    competitors: list[list[int]]
    prefix: Ints
    noun: Floats  # uniform in [0, 1): picks the sector noun

    @property
    def lends(self) -> Bools:
        return np.asarray(self.role != HOST)

    @property
    def hosts(self) -> Bools:
        return np.asarray(self.role != LENDER)


def _draw_organizations(rng: np.random.Generator, tables: _Tables, n: int) -> _Orgs:
    sector = rng.choice(len(voc.SECTORS), size=n, p=_normalized(tables.sector_share))
    size = rng.lognormal(0.0, ORG_SIZE_SIGMA, n)
    role = _ensure_roles(_choice_rows(rng, tables.sector_roles[sector]))
    small = size < np.median(size)
    flat = rng.random(n) < np.clip(tables.sector_flat[sector] + 0.2 * small, 0.0, 0.9)
    region = rng.choice(len(voc.REGIONS), size=n, p=tables.region_headquarters)
    return _Orgs(
        sector=sector.astype(np.int64),
        role=role,
        flat=flat,
        size=size,
        region=region.astype(np.int64),
        competitors=_draw_competitors(rng, sector.astype(np.int64), tables.sector_rivalry),
        prefix=rng.integers(0, len(voc.NAME_PREFIXES), n),
        noun=rng.random(n),
    )


def _ensure_roles(role: Ints) -> Ints:
    """Roles such that someone lends and someone else hosts (small rounds could miss one)."""
    role = role.copy()
    if not (role != HOST).any():
        role[0] = LENDER
    if not (role != LENDER).any():
        role[-1] = HOST
    lenders = np.flatnonzero(role != HOST)
    hosts = np.flatnonzero(role != LENDER)
    if lenders.size == 1 and hosts.size == 1 and lenders[0] == hosts[0]:
        role[(lenders[0] + 1) % role.size] = HOST
    return role


def _draw_competitors(rng: np.random.Generator, sector: Ints, rivalry: Floats) -> list[list[int]]:
    """Competitor pairs within a sector; two passes so that some have several rivals."""
    rivals: list[list[int]] = [[] for _ in range(sector.size)]
    for strength in (1.0, 0.4):
        for s in range(len(voc.SECTORS)):
            order = rng.permutation(np.flatnonzero(sector == s))
            pairs = order[: order.size // 2 * 2].reshape(-1, 2)
            keep = rng.random(len(pairs)) < rivalry[s] * strength
            for a, b in pairs[keep].tolist():
                if b not in rivals[a]:
                    rivals[a].append(b)
                    rivals[b].append(a)
    return rivals


# --- packages -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Packages:
    host: Ints
    family: Ints  # family of the required skills
    required: Ints  # (P, 3) skill indices, the first n_required used
    n_required: Ints
    required_level: Ints  # (P, 3)
    desired: Ints  # (P, 4)
    n_desired: Ints
    desired_weight: Floats  # (P, 4)
    learnable: Ints  # (P, 4)
    n_learnable: Ints
    values: Ints  # (P, 3)
    n_values: Ints
    seats: Ints
    fte: Floats
    start: Dates
    end: Dates
    fee_cap: Floats
    region: Ints
    remote: Ints
    languages: Bools  # (P, L)
    role_title: Ints
    mission: Floats  # uniform in [0, 1): picks the mission statement

    @property
    def size(self) -> int:
        return int(self.host.size)


def _draw_packages(rng: np.random.Generator, tables: _Tables, orgs: _Orgs, n: int) -> _Packages:
    hosts = np.flatnonzero(orgs.hosts)
    host = _pick(rng, n, hosts, orgs.size[hosts])
    family, required, n_required, desired, n_desired, learnable = _draw_package_skills(
        rng, tables, tables.sector_affinity[orgs.sector[host]]
    )
    fte = rng.choice(np.array([0.5, 0.6, 0.8, 1.0]), size=n, p=np.array([0.15, 0.15, 0.35, 0.35]))
    start = rng.integers(0, 9, n)
    months = _counts(rng, n, (6, 9, 12, 18, 24), TOUR_MONTH_WEIGHTS)
    # the host offers between 40% and 100% of a typical salary at the package's FTE
    fee_cap = np.round(rng.uniform(0.4, 1.0, n) * TYPICAL_SALARY * fte / 50.0) * 50.0
    region = np.where(
        rng.random(n) < 0.7,
        orgs.region[host],
        rng.choice(len(voc.REGIONS), size=n, p=tables.region_population),
    ).astype(np.int64)
    remote = rng.choice(3, size=n, p=np.array([0.5, 0.3, 0.2])).astype(np.int64)
    value_order = _rank_rows(rng, np.log(tables.sector_values[orgs.sector[host]]))
    return _Packages(
        host=host,
        family=family,
        required=required,
        n_required=n_required,
        required_level=_choice_rows_n(rng, REQUIRED_LEVEL_WEIGHTS, (n, 3)),
        desired=desired,
        n_desired=n_desired,
        desired_weight=rng.choice(np.array(SKILL_WEIGHTS), size=(n, 4)),
        learnable=learnable,
        n_learnable=rng.integers(2, 5, n),
        values=value_order[:, :3],
        n_values=rng.integers(1, 4, n),
        seats=_counts(rng, n, (1, 2, 3), (0.78, 0.15, 0.07)),
        fte=fte,
        start=_month_starts(start),
        end=_month_ends(start, months),
        fee_cap=fee_cap,
        region=region,
        remote=remote,
        languages=_package_languages(rng, tables, region, remote),
        role_title=rng.integers(0, len(voc.ROLE_TITLES), n),
        mission=rng.random(n),
    )


def _draw_package_skills(
    rng: np.random.Generator, tables: _Tables, affinity: Floats
) -> tuple[Ints, Ints, Ints, Ints, Ints, Ints]:
    """Family, required (P, 3), their count, desired (P, 4), their count, learnable (P, 4).

    Required skills come from one family (a career family or one the host's sector needs),
    desired ones from the same family and a second one, learnable ones from two further
    families, so that desired and learnable skills never repeat a required one.
    """
    n = affinity.shape[0]
    family = _choice_rows(rng, (1 - CAREER_ASK) * affinity + CAREER_ASK * tables.career)
    second = _choice_rows(rng, _without(affinity + 1e-3, family))
    # hosts teach what their sector knows best, weighted by what seniors want to learn
    teach_weights = _without((affinity + 1e-3) * tables.interest, family, second)
    teaches = _choice_rows(rng, teach_weights)
    teaches_too = _choice_rows(rng, _without(teach_weights, teaches))
    n_required = _counts(rng, n, (1, 2, 3), REQUIRED_COUNT_WEIGHTS)
    n_desired = _counts(rng, n, (2, 3, 4), (0.4, 0.35, 0.25))
    n_desired_first = np.minimum(rng.binomial(n_desired, 0.5), 3)
    first = _family_ranking(rng, tables, family)
    desired = _desired_skills(
        first, n_required, n_desired_first, _family_ranking(rng, tables, second)
    )
    learnable = _two_family_skills(rng, tables, teaches, teaches_too)
    return family, first[:, :3], n_required, desired, n_desired, learnable


def _choice_rows_n(
    rng: np.random.Generator, weights: tuple[float, ...], shape: tuple[int, int]
) -> Ints:
    return rng.choice(len(weights), size=shape, p=np.array(weights)).astype(np.int64)


def _desired_skills(first: Ints, n_required: Ints, n_first: Ints, second: Ints) -> Ints:
    """Desired skills: ``n_first`` more of the required family (after the required ones,
    so never one of them), then skills of a second family."""
    col = np.arange(4)[None, :]
    from_first = np.take_along_axis(
        first, np.minimum(n_required[:, None] + col, first.shape[1] - 1), axis=1
    )
    from_second = np.take_along_axis(second, np.maximum(col - n_first[:, None], 0), axis=1)
    return np.where(col < n_first[:, None], from_first, from_second)


def _package_languages(
    rng: np.random.Generator, tables: _Tables, region: Ints, remote: Ints
) -> Bools:
    """The main language of the region (English for some remote packages), and for some
    packages a second one: English or the region's other language."""
    n = region.size
    english = voc.LANGUAGES.index("en")
    main = _choice_rows(rng, tables.region_main[region])
    main = np.where((remote == REMOTE) & (rng.random(n) < REMOTE_ENGLISH_SHARE), english, main)
    second_weights = tables.region_speaks[region].astype(np.float64)
    second_weights[:, english] += 1.5
    second = _choice_rows(rng, _without(second_weights, main))
    speaks = np.zeros((n, len(voc.LANGUAGES)), dtype=bool)
    rows = np.arange(n)
    speaks[rows, main] = True
    has_second = rng.random(n) < 0.2
    speaks[rows[has_second], second[has_second]] = True
    return speaks


# --- talents ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Talents:
    lender: Ints
    family: Ints  # main family of the strengths
    second: Ints  # second family, -1 for none
    age: Ints
    skills: Ints  # (T, 8), the first n_skills used
    n_skills: Ints
    levels: Ints  # (T, 8)
    goals: Ints  # (T, 4)
    n_goals: Ints
    goal_weight: Floats  # (T, 4)
    values: Ints  # (T, 4)
    n_values: Ints
    salary: Floats
    retention: Floats
    fte: Floats
    start: Dates
    end: Dates
    region: Ints
    accepts_remote: Bools
    languages: Bools  # (T, L)
    alumni: Ints  # (T, 3)
    n_alumni: Ints
    network: Ints  # (T, 8)
    n_network: Ints
    excluded: Ints  # (T, 2)
    n_excluded: Ints

    @property
    def size(self) -> int:
        return int(self.lender.size)


def _draw_talents(rng: np.random.Generator, tables: _Tables, orgs: _Orgs, n: int) -> _Talents:
    lenders = np.flatnonzero(orgs.lends)
    lender = _pick(rng, n, lenders, orgs.size[lenders])
    age = _draw_ages(rng, n)
    family, second, skills, n_skills = _draw_strengths(rng, tables, orgs.sector[lender])
    goals = _draw_goal_skills(rng, tables, family, second)
    value_weights = np.sqrt(tables.sector_values[orgs.sector[lender]])  # a softer sector tilt
    # most talents are free from the start of the round, and many until retirement is near
    start = _counts(rng, n, (0, 1, 2, 3, 4, 5), (0.45, 0.2, 0.12, 0.1, 0.08, 0.05))
    months = 12 + np.round(24 * rng.beta(1.6, 1.0, n)).astype(np.int64)
    region = np.where(
        rng.random(n) < 0.65,
        orgs.region[lender],
        rng.choice(len(voc.REGIONS), size=n, p=tables.region_population),
    ).astype(np.int64)
    alumni, n_alumni, network, n_network, excluded, n_excluded = _draw_org_links(rng, orgs, n)
    return _Talents(
        lender=lender,
        family=family,
        second=second,
        age=age,
        skills=skills,
        n_skills=n_skills,
        levels=_choice_rows_n(rng, LEVEL_WEIGHTS, (n, 8)),
        goals=goals,
        n_goals=rng.integers(2, 5, n),
        goal_weight=rng.choice(np.array(SKILL_WEIGHTS), size=(n, 4)),
        values=_rank_rows(rng, np.log(value_weights))[:, :4],
        n_values=rng.integers(2, 5, n),
        salary=_draw_salaries(rng, age),
        retention=np.where(
            rng.random(n) < 0.75, 1.0, rng.choice(np.array([0.8, 0.85, 0.9, 0.95]), size=n)
        ),
        fte=rng.choice(np.array([1.0, 0.8, 0.6]), size=n, p=np.array([0.75, 0.17, 0.08])),
        start=_month_starts(start),
        end=_month_ends(start, months),
        region=region,
        accepts_remote=rng.random(n) < 0.7,
        languages=_talent_languages(rng, tables, region),
        alumni=alumni,
        n_alumni=n_alumni,
        network=network,
        n_network=n_network,
        excluded=excluded,
        n_excluded=n_excluded,
    )


def _draw_ages(rng: np.random.Generator, n: int) -> Ints:
    senior = rng.choice(np.array(AGES), size=n, p=_normalized(np.array(AGE_WEIGHTS, float)))
    younger = rng.integers(45, 50, n)
    return np.where(rng.random(n) < YOUNGER_SHARE, younger, senior).astype(np.int64)


def _draw_strengths(
    rng: np.random.Generator, tables: _Tables, sector: Ints
) -> tuple[Ints, Ints, Ints, Ints]:
    """4-8 skills: most in a main family from the lender's sector, some in a second family
    (for most talents; usually one a senior career adds: leadership, projects, people), and
    for some one core skill of another career family (a manager who also ran projects)."""
    n = sector.size
    affinity = tables.sector_affinity[sector]
    family = _choice_rows(rng, affinity)
    career = (1 - CAREER_SECOND) * affinity + CAREER_SECOND * tables.career
    second = _choice_rows(rng, _without(career + 1e-3, family))
    second = np.where(rng.random(n) < SECOND_FAMILY_SHARE, second, -1)
    extra_family = _choice_rows(
        rng, _without(np.broadcast_to(tables.career, affinity.shape), family, second)
    )
    has_extra = rng.random(n) < CAREER_EXTRA_SHARE
    n_skills = rng.integers(4, 9, n)
    room = n_skills - 2 - has_extra  # keep two skills or more in the main family
    n_second = np.where(
        second >= 0, np.clip(rng.binomial(n_skills, SECOND_FAMILY_SKILLS), 1, room), 0
    )
    first_ranked = _family_ranking(rng, tables, family)
    second_ranked = _family_ranking(rng, tables, np.maximum(second, 0))
    extra = _family_ranking(rng, tables, extra_family)[:, 0]
    col = np.arange(8)[None, :]
    n_first = (n_skills - n_second - has_extra)[:, None]
    skills = np.where(
        col < n_first,
        np.take_along_axis(first_ranked, np.minimum(col, first_ranked.shape[1] - 1), axis=1),
        np.take_along_axis(second_ranked, np.maximum(col - n_first, 0), axis=1),
    )
    last = (col == (n_skills - 1)[:, None]) & has_extra[:, None]
    return family, second, np.where(last, extra[:, None], skills), n_skills


def _draw_goal_skills(
    rng: np.random.Generator, tables: _Tables, family: Ints, second: Ints
) -> Ints:
    """Candidate learning goals (T, 4): two skills of a family the talent does not work in,
    then two of another one, or for a fifth of talents of their own main family, to go
    deeper. Goals the talent already holds are dropped when the talent is built."""
    n = family.size
    interest = np.broadcast_to(tables.interest, (n, tables.n_families))
    elsewhere = _without(interest + 1e-3, family, second)
    goal_family = _choice_rows(rng, elsewhere)
    other = _choice_rows(rng, _without(elsewhere, goal_family))
    deeper = rng.random(n) < 0.2
    other = np.where(deeper, family, other)
    return _two_family_skills(rng, tables, goal_family, other, rare_second=deeper)


def _two_family_skills(
    rng: np.random.Generator,
    tables: _Tables,
    first: Ints,
    second: Ints,
    rare_second: Bools | None = None,
) -> Ints:
    """(n, 4) skills: two of family ``first``, then two of family ``second`` (the rarest
    first where ``rare_second``: in the own family the popular skills are held already)."""
    from_first = _family_ranking(rng, tables, first)[:, :2]
    log_weights = tables.family_log_popularity[second]
    if rare_second is not None:
        flipped = np.where(np.isfinite(log_weights), -log_weights, -np.inf)
        log_weights = np.where(rare_second[:, None], flipped, log_weights)
    order = _rank_rows(rng, log_weights)
    from_second = np.take_along_axis(tables.family_skills[second], order, axis=1)[:, :2]
    return np.concatenate([from_first, from_second], axis=1)


def _draw_salaries(rng: np.random.Generator, age: Ints) -> Floats:
    """Monthly employer cost: lognormal around :data:`TYPICAL_SALARY`, rising with age."""
    log_salary = np.log(TYPICAL_SALARY) + rng.normal(0.0, 0.22, age.size) + 0.01 * (age - 57)
    salary = np.clip(np.exp(log_salary), 4_000.0, 13_000.0)
    return np.asarray(np.round(salary / 10.0) * 10.0, dtype=np.float64)


def _talent_languages(rng: np.random.Generator, tables: _Tables, region: Ints) -> Bools:
    """The region's main language, its other languages mostly, English for most, and some
    the other national languages."""
    n = region.size
    main = _choice_rows(rng, tables.region_main[region])
    share = np.array([{"nl": 0.2, "fr": 0.45, "en": 0.85, "de": 0.04}[x] for x in voc.LANGUAGES])
    share = np.where(tables.region_speaks[region], 0.7, share[None, :])
    speaks = rng.random((n, len(voc.LANGUAGES))) < share
    speaks[np.arange(n), main] = True
    return speaks


def _draw_org_links(
    rng: np.random.Generator, orgs: _Orgs, n: int
) -> tuple[Ints, Ints, Ints, Ints, Ints, Ints]:
    """Alumni (0-3) and network (2-8) organizations by size; excluded ones (0-2) among the
    hosts, since only excluding a host changes anything. The own lender is dropped later."""
    everyone = np.arange(orgs.sector.size)
    hosts = np.flatnonzero(orgs.hosts)
    alumni = _pick(rng, n * 3, everyone, orgs.size).reshape(n, 3)
    network = _pick(rng, n * 8, everyone, orgs.size).reshape(n, 8)
    excluded = _pick(rng, n * 2, hosts, orgs.size[hosts]).reshape(n, 2)
    return (
        alumni,
        _counts(rng, n, (0, 1, 2, 3), (0.45, 0.3, 0.15, 0.1)),
        network,
        rng.integers(2, 9, n),
        excluded,
        _counts(rng, n, (0, 1, 2), (0.6, 0.28, 0.12)),
    )


# --- preferences and rankings -------------------------------------------------------------


def _sample_by_group(
    rng: np.random.Generator, group: Ints, wanted: Ints, n_groups: int, draws: int
) -> Ints:
    """For each entry of ``wanted`` (a group), ``draws`` members of that group drawn with
    replacement; an empty group falls back to all members."""
    members = np.argsort(group, kind="stable")
    count = np.bincount(group, minlength=n_groups)
    start = np.cumsum(count) - count
    n_in = count[wanted]
    u = rng.random((wanted.size, draws))
    pos = np.where(
        (n_in > 0)[:, None],
        start[wanted][:, None] + np.floor(u * n_in[:, None]).astype(np.int64),
        np.floor(u * group.size).astype(np.int64),
    )
    return members[pos]


def _draw_preferences(
    rng: np.random.Generator, talents: _Talents, packages: _Packages, n_families: int
) -> list[list[int]]:
    """About 30% of talents rank 3-8 packages asking for one of their skill families."""
    n = talents.size
    wants = rng.random(n) < 0.3
    length = rng.integers(3, 9, n)
    use_second = (talents.second >= 0) & (rng.random(n) < 0.3)
    family = np.where(use_second, talents.second, talents.family)
    picks = _sample_by_group(rng, packages.family, family, n_families, 12).tolist()
    lengths = length.tolist()
    return [
        list(dict.fromkeys(picks[i]))[: lengths[i]] if w else []
        for i, w in enumerate(wants.tolist())
    ]


def _draw_rankings(
    rng: np.random.Generator, talents: _Talents, packages: _Packages, n_families: int
) -> list[list[int]]:
    """About 20% of packages rank 2-5 talents whose main family is the one they ask for."""
    n = packages.size
    ranks = rng.random(n) < 0.2
    length = rng.integers(2, 6, n)
    picks = _sample_by_group(rng, talents.family, packages.family, n_families, 8).tolist()
    lengths = length.tolist()
    return [
        list(dict.fromkeys(picks[i]))[: lengths[i]] if r else []
        for i, r in enumerate(ranks.tolist())
    ]


# --- budgets ------------------------------------------------------------------------------


def _hiring_budgets(
    rng: np.random.Generator, orgs: _Orgs, packages: _Packages
) -> list[float | None]:
    """60-90% of what a host's packages would cost with every seat filled at the fee cap;
    one host in ten has no limit."""
    n = orgs.sector.size
    demand = np.bincount(packages.host, weights=packages.fee_cap * packages.seats, minlength=n)
    budget = np.round(demand * rng.uniform(0.6, 0.9, n) / 100.0) * 100.0
    (unlimited,) = _special_members(rng, demand > 0, (UNLIMITED_SHARE,))
    return [None if unlimited[o] or demand[o] == 0 else float(budget[o]) for o in range(n)]


def _topup_budgets(
    rng: np.random.Generator, orgs: _Orgs, talents: _Talents, packages: _Packages
) -> list[float | None]:
    """20-40% of the expected top-ups of a lender's talents; some lenders have no limit and
    some pay no top-up at all (their talents need a host who covers the whole salary)."""
    n = orgs.sector.size
    expected = _expected_topups(rng, talents, packages)
    total = np.bincount(talents.lender, weights=expected, minlength=n)
    budget = np.round(total * rng.uniform(0.2, 0.4, n) / 100.0) * 100.0
    has_talents = np.bincount(talents.lender, minlength=n) > 0
    no_topup, unlimited = _special_members(rng, has_talents, (NO_TOPUP_SHARE, UNLIMITED_SHARE))
    budget = np.where(no_topup, 0.0, budget)
    return [float(budget[o]) if has_talents[o] and not unlimited[o] else None for o in range(n)]


def _special_members(
    rng: np.random.Generator, members: Bools, shares: tuple[float, ...]
) -> list[Bools]:
    """Disjoint random subsets of ``members`` with the given shares (rounded, and at least
    one each once there are four members, so that small rounds have them too)."""
    order = rng.permutation(np.flatnonzero(members))
    out: list[Bools] = []
    taken = 0
    for share in shares:
        k = round(share * order.size) or (1 if order.size >= 4 else 0)
        mask = np.zeros(members.size, dtype=bool)
        mask[order[taken : taken + k]] = True
        out.append(mask)
        taken += k
    return out


def _expected_topups(
    rng: np.random.Generator, talents: _Talents, packages: _Packages, sample: int = 64
) -> Floats:
    """Mean top-up of each talent over a sample of the packages."""
    pick = rng.integers(0, packages.size, sample)
    retained = (talents.salary * talents.retention)[:, None] * packages.fte[pick][None, :]
    return np.asarray(np.maximum(retained - packages.fee_cap[pick][None, :], 0.0).mean(axis=1))


# --- models -------------------------------------------------------------------------------


def _build_organizations(
    orgs: _Orgs, hiring: list[float | None], topups: list[float | None]
) -> list[Organization]:
    n = orgs.sector.size
    ids = _ids("o", n, 4)
    names = _org_names(orgs)
    sector = orgs.sector.tolist()
    role = orgs.role.tolist()
    flat = orgs.flat.tolist()
    return [
        Organization(
            id=ids[o],
            name=names[o],
            sector=voc.SECTORS[sector[o]],
            structure=Structure.FLAT if flat[o] else Structure.HIERARCHICAL,
            role=ROLES[role[o]],
            competitors=[ids[c] for c in orgs.competitors[o]],
            topup_budget=topups[o] if role[o] != HOST else None,
            hiring_budget=hiring[o] if role[o] != LENDER else None,
        )
        for o in range(n)
    ]


def _org_names(orgs: _Orgs) -> list[str]:
    """Prefix and sector noun; a repeated name gets its headquarters' city, then a number."""
    used: set[str] = set()
    names: list[str] = []
    for prefix, noun, sector, region in zip(
        orgs.prefix.tolist(),
        orgs.noun.tolist(),
        orgs.sector.tolist(),
        orgs.region.tolist(),
        strict=True,
    ):
        nouns = voc.SECTOR_NAME_NOUNS[voc.SECTORS[sector]]
        name = f"{voc.NAME_PREFIXES[prefix]} {nouns[int(noun * len(nouns))]}"
        if name in used:
            name = f"{name} {voc.REGION_CITIES[voc.REGIONS[region]]}"
        base, k = name, 2
        while name in used:
            name, k = f"{base} {k}", k + 1
        used.add(name)
        names.append(name)
    return names


def _build_talents(
    t: _Talents,
    tables: _Tables,
    ids: list[str],
    org_ids: list[str],
    package_ids: list[str],
    preferences: list[list[int]],
) -> list[Talent]:
    skills, levels, n_skills = t.skills.tolist(), t.levels.tolist(), t.n_skills.tolist()
    goals, weights, n_goals = t.goals.tolist(), t.goal_weight.tolist(), t.n_goals.tolist()
    values, n_values = t.values.tolist(), t.n_values.tolist()
    lender = t.lender.tolist()
    links = [
        (x.tolist(), k.tolist())
        for x, k in ((t.alumni, t.n_alumni), (t.network, t.n_network), (t.excluded, t.n_excluded))
    ]
    columns = zip(
        t.age.tolist(),
        t.salary.tolist(),
        t.retention.tolist(),
        t.fte.tolist(),
        t.start.tolist(),
        t.end.tolist(),
        t.region.tolist(),
        t.accepts_remote.tolist(),
        t.languages.tolist(),
        strict=True,
    )
    names = tables.skills
    out: list[Talent] = []
    for i, (age, salary, retention, fte, start, end, region, remote, speaks) in enumerate(columns):
        strengths = {
            names[s]: lvl for s, lvl in zip(skills[i][: n_skills[i]], levels[i], strict=False)
        }
        learning = {
            names[s]: w
            for s, w in zip(goals[i][: n_goals[i]], weights[i], strict=False)
            if names[s] not in strengths
        }
        own = lender[i]
        alumni, network, excluded = (
            _org_list(rows[i][: counts[i]], own, org_ids) for rows, counts in links
        )
        out.append(
            Talent(
                id=ids[i],
                lender=org_ids[own],
                age=age,
                strengths=strengths,
                learning_goals=learning,
                values=[voc.VALUES[v] for v in values[i][: n_values[i]]],
                salary=salary,
                retention=retention,
                fte=fte,
                available_from=start,
                available_to=end,
                region=voc.REGIONS[region],
                accepts_remote=remote,
                languages=[x for x, s in zip(voc.LANGUAGES, speaks, strict=True) if s],
                alumni=alumni,
                network=network,
                excluded=excluded,
                preferences=[package_ids[p] for p in preferences[i]],
            )
        )
    return out


def _org_list(orgs: list[int], own: int, org_ids: list[str]) -> list[str]:
    """Distinct organizations in draw order, without the talent's own lender."""
    return [org_ids[o] for o in dict.fromkeys(orgs) if o != own]


def _build_packages(
    p: _Packages,
    tables: _Tables,
    ids: list[str],
    orgs: list[Organization],
    talent_ids: list[str],
    rankings: list[list[int]],
) -> list[WorkPackage]:
    required, levels, n_required = (
        p.required.tolist(),
        p.required_level.tolist(),
        p.n_required.tolist(),
    )
    desired, weights, n_desired = (
        p.desired.tolist(),
        p.desired_weight.tolist(),
        p.n_desired.tolist(),
    )
    learnable, n_learnable = p.learnable.tolist(), p.n_learnable.tolist()
    values, n_values = p.values.tolist(), p.n_values.tolist()
    families = list(voc.SKILL_FAMILIES)
    columns = zip(
        p.host.tolist(),
        p.family.tolist(),
        p.seats.tolist(),
        p.fte.tolist(),
        p.start.tolist(),
        p.end.tolist(),
        p.fee_cap.tolist(),
        p.region.tolist(),
        p.remote.tolist(),
        p.languages.tolist(),
        p.role_title.tolist(),
        p.mission.tolist(),
        strict=True,
    )
    names = tables.skills
    out: list[WorkPackage] = []
    for i, row in enumerate(columns):
        host, family, seats, fte, start, end, fee_cap, region, remote, speaks, title, mission = row
        need = {
            names[s]: lvl for s, lvl in zip(required[i][: n_required[i]], levels[i], strict=False)
        }
        wish = {names[s]: w for s, w in zip(desired[i][: n_desired[i]], weights[i], strict=False)}
        missions = voc.FAMILY_MISSIONS[families[family]]
        out.append(
            WorkPackage(
                id=ids[i],
                host=orgs[host].id,
                title=f"{_skill_label(names[required[i][0]])} {voc.ROLE_TITLES[title]}",
                mission=f"{missions[int(mission * len(missions))]} at {orgs[host].name}",
                required=need,
                desired=wish,
                learnable=[
                    names[s]
                    for s in learnable[i][: n_learnable[i]]
                    if names[s] not in need and names[s] not in wish
                ],
                values=[voc.VALUES[v] for v in values[i][: n_values[i]]],
                seats=seats,
                fte=fte,
                start=start,
                end=end,
                fee_cap=fee_cap,
                region=voc.REGIONS[region],
                remote=REMOTE_MODES[remote],
                languages=[x for x, s in zip(voc.LANGUAGES, speaks, strict=True) if s],
                ranking=[talent_ids[t] for t in rankings[i]],
            )
        )
    return out


def _skill_label(skill: str) -> str:
    label = voc.SKILL_LABELS.get(skill, skill.replace("-", " "))
    return label[0].upper() + label[1:]
