"""The work packages of a generated round as arrays: host, skills asked for and taught,
values, seats, dates, fee cap, place and languages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher import vocabulary as voc
from matcher.generator.draws import (
    Bools,
    Dates,
    Floats,
    Ints,
    Tables,
    choice_rows,
    choice_rows_n,
    draw_counts,
    family_ranking,
    month_ends,
    month_starts,
    pick_weighted,
    rank_rows,
    two_family_skills,
    without,
)
from matcher.generator.organizations import Orgs
from matcher.generator.shape import (
    CAREER_ASK,
    REMOTE,
    REMOTE_ENGLISH_SHARE,
    REQUIRED_COUNT_WEIGHTS,
    REQUIRED_LEVEL_WEIGHTS,
    SKILL_WEIGHTS,
    TOUR_MONTH_WEIGHTS,
    TYPICAL_SALARY,
)


@dataclass(frozen=True, eq=False)
class Packages:
    """The packages, one entry (row) per package."""

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


def draw_packages(rng: np.random.Generator, tables: Tables, orgs: Orgs, n: int) -> Packages:
    """``n`` packages, hosted by organizations in proportion to their size."""
    hosts = np.flatnonzero(orgs.hosts)
    host = pick_weighted(rng, n, hosts, orgs.size[hosts])
    family, required, n_required, desired, n_desired, learnable = _draw_package_skills(
        rng, tables, tables.sector_affinity[orgs.sector[host]]
    )
    fte = rng.choice(np.array([0.5, 0.6, 0.8, 1.0]), size=n, p=np.array([0.15, 0.15, 0.35, 0.35]))
    start = rng.integers(0, 9, n)
    months = draw_counts(rng, n, (6, 9, 12, 18, 24), TOUR_MONTH_WEIGHTS)
    # the host offers between 40% and 100% of a typical salary at the package's FTE
    fee_cap = np.round(rng.uniform(0.4, 1.0, n) * TYPICAL_SALARY * fte / 50.0) * 50.0
    region = np.where(
        rng.random(n) < 0.7,
        orgs.region[host],
        rng.choice(len(voc.REGIONS), size=n, p=tables.region_population),
    ).astype(np.int64)
    remote = rng.choice(3, size=n, p=np.array([0.5, 0.3, 0.2])).astype(np.int64)
    value_order = rank_rows(rng, np.log(tables.sector_values[orgs.sector[host]]))
    return Packages(
        host=host,
        family=family,
        required=required,
        n_required=n_required,
        required_level=choice_rows_n(rng, REQUIRED_LEVEL_WEIGHTS, (n, 3)),
        desired=desired,
        n_desired=n_desired,
        desired_weight=rng.choice(np.array(SKILL_WEIGHTS), size=(n, 4)),
        learnable=learnable,
        n_learnable=rng.integers(2, 5, n),
        values=value_order[:, :3],
        n_values=rng.integers(1, 4, n),
        seats=draw_counts(rng, n, (1, 2, 3), (0.78, 0.15, 0.07)),
        fte=fte,
        start=month_starts(start),
        end=month_ends(start, months),
        fee_cap=fee_cap,
        region=region,
        remote=remote,
        languages=_package_languages(rng, tables, region, remote),
        role_title=rng.integers(0, len(voc.ROLE_TITLES), n),
        mission=rng.random(n),
    )


def _draw_package_skills(
    rng: np.random.Generator, tables: Tables, affinity: Floats
) -> tuple[Ints, Ints, Ints, Ints, Ints, Ints]:
    """Family, required (P, 3), their count, desired (P, 4), their count, learnable (P, 4).

    Required skills come from one family (a career family or one the host's sector needs),
    desired ones from the same family and a second one, learnable ones from two further
    families, so that desired and learnable skills never repeat a required one.
    """
    n = affinity.shape[0]
    family = choice_rows(rng, (1 - CAREER_ASK) * affinity + CAREER_ASK * tables.career)
    second = choice_rows(rng, without(affinity + 1e-3, family))
    # hosts teach what their sector knows best, weighted by what seniors want to learn
    teach_weights = without((affinity + 1e-3) * tables.interest, family, second)
    teaches = choice_rows(rng, teach_weights)
    teaches_too = choice_rows(rng, without(teach_weights, teaches))
    n_required = draw_counts(rng, n, (1, 2, 3), REQUIRED_COUNT_WEIGHTS)
    n_desired = draw_counts(rng, n, (2, 3, 4), (0.4, 0.35, 0.25))
    n_desired_first = np.minimum(rng.binomial(n_desired, 0.5), 3)
    first = family_ranking(rng, tables, family)
    desired = _desired_skills(
        first, n_required, n_desired_first, family_ranking(rng, tables, second)
    )
    learnable = two_family_skills(rng, tables, teaches, teaches_too)
    return family, first[:, :3], n_required, desired, n_desired, learnable


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
    rng: np.random.Generator, tables: Tables, region: Ints, remote: Ints
) -> Bools:
    """The main language of the region (English for some remote packages), and for some
    packages a second one: English or the region's other language."""
    n = region.size
    english = voc.LANGUAGES.index("en")
    main = choice_rows(rng, tables.region_main[region])
    main = np.where((remote == REMOTE) & (rng.random(n) < REMOTE_ENGLISH_SHARE), english, main)
    second_weights = tables.region_speaks[region].astype(np.float64)
    second_weights[:, english] += 1.5
    second = choice_rows(rng, without(second_weights, main))
    speaks = np.zeros((n, len(voc.LANGUAGES)), dtype=bool)
    rows = np.arange(n)
    speaks[rows, main] = True
    has_second = rng.random(n) < 0.2
    speaks[rows[has_second], second[has_second]] = True
    return speaks


__all__ = [
    "Packages",
    "draw_packages",
]
