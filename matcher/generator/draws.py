"""What every record kind is drawn with: the vocabularies as index arrays
(:func:`vocabulary_tables`) and vectorized random draws over rows.

Sectors, families, values, regions and languages are indices into the tuples of
:mod:`matcher.vocabulary`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from matcher import vocabulary as voc
from matcher.generator.shape import BASE_DATE, POPULARITY_EXPONENT

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Dates = npt.NDArray[np.datetime64]


@dataclass(frozen=True, eq=False)
class Tables:
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
def vocabulary_tables() -> Tables:
    """The vocabularies as index arrays (built once)."""
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
    return Tables(
        skills=voc.SKILLS,
        family_skills=family_skills,
        family_log_popularity=log_pop,
        sector_affinity=np.stack([normalized(by_family(voc.SECTOR_AFFINITY[s])) for s in sectors]),
        career=normalized(by_family(voc.CAREER_FAMILIES)),
        interest=by_family(voc.LEARNING_INTEREST),
        sector_share=np.array([voc.SECTOR_SHARE[s] for s in sectors]),
        sector_flat=np.array([voc.SECTOR_FLAT_SHARE[s] for s in sectors]),
        sector_roles=np.array([voc.SECTOR_ROLE_SHARES[s] for s in sectors]),
        sector_rivalry=np.array([voc.SECTOR_RIVALRY[s] for s in sectors]),
        sector_values=np.array(
            [[voc.SECTOR_VALUES[s].get(v, 1.0) for v in voc.VALUES] for s in sectors]
        ),
        region_population=normalized(np.array([voc.REGION_POPULATION[r] for r in voc.REGIONS])),
        region_headquarters=normalized(
            np.array([voc.REGION_HEADQUARTERS[r] for r in voc.REGIONS], dtype=np.float64)
        ),
        region_speaks=speaks,
        region_main=main,
    )


def normalized(weights: Floats) -> Floats:
    """``weights`` scaled to sum to 1."""
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def choice_rows(rng: np.random.Generator, weights: Floats) -> Ints:
    """One column per row of ``weights`` (n, m), with probability proportional to the row.

    Every row needs a positive weight somewhere.
    """
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cumulative[:, -1]
    picked = (cumulative <= u[:, None]).sum(axis=1)
    return np.asarray(np.minimum(picked, weights.shape[1] - 1), dtype=np.int64)


def choice_rows_n(
    rng: np.random.Generator, weights: tuple[float, ...], shape: tuple[int, int]
) -> Ints:
    """Indices into ``weights`` drawn with its probabilities, in an array of ``shape``."""
    return rng.choice(len(weights), size=shape, p=np.array(weights)).astype(np.int64)


def rank_rows(rng: np.random.Generator, log_weights: Floats) -> Ints:
    """Columns of every row in a weighted random order, without replacement.

    Perturbing log-weights with Gumbel noise and sorting draws a weighted sample without
    replacement for all rows at once; columns with weight 0 (log -inf) come last.
    """
    keys = log_weights + rng.gumbel(size=log_weights.shape)
    return np.argsort(-keys, axis=1, kind="stable").astype(np.int64)


def family_ranking(rng: np.random.Generator, tables: Tables, family: Ints) -> Ints:
    """For each row, the skills of ``family[i]`` in a popularity-weighted random order."""
    order = rank_rows(rng, tables.family_log_popularity[family])
    return np.take_along_axis(tables.family_skills[family], order, axis=1)


def two_family_skills(
    rng: np.random.Generator,
    tables: Tables,
    first: Ints,
    second: Ints,
    rare_second: Bools | None = None,
) -> Ints:
    """(n, 4) skills: two of family ``first``, then two of family ``second`` (the rarest
    first where ``rare_second``: in the own family the popular skills are held already)."""
    from_first = family_ranking(rng, tables, first)[:, :2]
    log_weights = tables.family_log_popularity[second]
    if rare_second is not None:
        flipped = np.where(np.isfinite(log_weights), -log_weights, -np.inf)
        log_weights = np.where(rare_second[:, None], flipped, log_weights)
    order = rank_rows(rng, log_weights)
    from_second = np.take_along_axis(tables.family_skills[second], order, axis=1)[:, :2]
    return np.concatenate([from_first, from_second], axis=1)


def without(weights: Floats, *columns: Ints) -> Floats:
    """``weights`` (n, m) with, in each row, the columns in ``columns`` set to 0."""
    out = weights.copy()
    rows = np.arange(weights.shape[0])
    for cols in columns:
        valid = cols >= 0
        out[rows[valid], cols[valid]] = 0.0
    return out


def draw_counts(
    rng: np.random.Generator, n: int, values: tuple[int, ...], p: tuple[float, ...]
) -> Ints:
    """``n`` draws from ``values`` with probabilities ``p``."""
    return rng.choice(np.array(values, dtype=np.int64), size=n, p=np.array(p))


def pick_weighted(rng: np.random.Generator, n: int, pool: Ints, weights: Floats) -> Ints:
    """``n`` draws from ``pool`` with probability proportional to ``weights``."""
    return pool[rng.choice(pool.size, size=n, p=normalized(weights))]


def month_starts(offsets: Ints) -> Dates:
    """The first day of the month ``offsets`` months after :data:`BASE_DATE`."""
    return (np.datetime64(BASE_DATE, "M") + offsets).astype("datetime64[D]")


def month_ends(offsets: Ints, months: Ints) -> Dates:
    """The last day of a period of ``months`` months starting ``offsets`` months in."""
    return month_starts(offsets + months) - np.timedelta64(1, "D")


def numbered_ids(prefix: str, n: int, digits: int) -> list[str]:
    """``n`` ids: ``prefix`` and a number from 1, zero-padded to ``digits`` or more."""
    width = max(digits, len(str(n)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


__all__ = [
    "Bools",
    "Dates",
    "Floats",
    "Ints",
    "Tables",
    "choice_rows",
    "choice_rows_n",
    "draw_counts",
    "family_ranking",
    "month_ends",
    "month_starts",
    "normalized",
    "numbered_ids",
    "pick_weighted",
    "rank_rows",
    "two_family_skills",
    "vocabulary_tables",
    "without",
]
