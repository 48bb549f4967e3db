"""The talents of a generated round as arrays: lender, age, strengths, learning goals,
values, pay, availability, place, languages and the organizations they know or exclude.
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
    normalized,
    pick_weighted,
    rank_rows,
    two_family_skills,
    without,
)
from matcher.generator.organizations import Orgs
from matcher.generator.shape import (
    AGE_WEIGHTS,
    AGES,
    CAREER_EXTRA_SHARE,
    CAREER_SECOND,
    LEVEL_WEIGHTS,
    SECOND_FAMILY_SHARE,
    SECOND_FAMILY_SKILLS,
    SKILL_WEIGHTS,
    TYPICAL_SALARY,
    YOUNGER_SHARE,
)


@dataclass(frozen=True, eq=False)
class Talents:
    """The talents, one entry (row) per talent."""

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


def draw_talents(rng: np.random.Generator, tables: Tables, orgs: Orgs, n: int) -> Talents:
    """``n`` talents, lent by organizations in proportion to their size."""
    lenders = np.flatnonzero(orgs.lends)
    lender = pick_weighted(rng, n, lenders, orgs.size[lenders])
    age = _draw_ages(rng, n)
    family, second, skills, n_skills = _draw_strengths(rng, tables, orgs.sector[lender])
    goals = _draw_goal_skills(rng, tables, family, second)
    value_weights = np.sqrt(tables.sector_values[orgs.sector[lender]])  # a softer sector tilt
    # most talents are free from the start of the round, and many until retirement is near
    start = draw_counts(rng, n, (0, 1, 2, 3, 4, 5), (0.45, 0.2, 0.12, 0.1, 0.08, 0.05))
    months = 12 + np.round(24 * rng.beta(1.6, 1.0, n)).astype(np.int64)
    region = np.where(
        rng.random(n) < 0.65,
        orgs.region[lender],
        rng.choice(len(voc.REGIONS), size=n, p=tables.region_population),
    ).astype(np.int64)
    alumni, n_alumni, network, n_network, excluded, n_excluded = _draw_org_links(rng, orgs, n)
    return Talents(
        lender=lender,
        family=family,
        second=second,
        age=age,
        skills=skills,
        n_skills=n_skills,
        levels=choice_rows_n(rng, LEVEL_WEIGHTS, (n, 8)),
        goals=goals,
        n_goals=rng.integers(2, 5, n),
        goal_weight=rng.choice(np.array(SKILL_WEIGHTS), size=(n, 4)),
        values=rank_rows(rng, np.log(value_weights))[:, :4],
        n_values=rng.integers(2, 5, n),
        salary=_draw_salaries(rng, age),
        retention=np.where(
            rng.random(n) < 0.75, 1.0, rng.choice(np.array([0.8, 0.85, 0.9, 0.95]), size=n)
        ),
        fte=rng.choice(np.array([1.0, 0.8, 0.6]), size=n, p=np.array([0.75, 0.17, 0.08])),
        start=month_starts(start),
        end=month_ends(start, months),
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
    senior = rng.choice(np.array(AGES), size=n, p=normalized(np.array(AGE_WEIGHTS, float)))
    younger = rng.integers(45, 50, n)
    return np.where(rng.random(n) < YOUNGER_SHARE, younger, senior).astype(np.int64)


def _draw_strengths(
    rng: np.random.Generator, tables: Tables, sector: Ints
) -> tuple[Ints, Ints, Ints, Ints]:
    """4-8 skills: most in a main family from the lender's sector, some in a second family
    (for most talents; usually one a senior career adds: leadership, projects, people), and
    for some one core skill of another career family (a manager who also ran projects)."""
    n = sector.size
    affinity = tables.sector_affinity[sector]
    family = choice_rows(rng, affinity)
    career = (1 - CAREER_SECOND) * affinity + CAREER_SECOND * tables.career
    second = choice_rows(rng, without(career + 1e-3, family))
    second = np.where(rng.random(n) < SECOND_FAMILY_SHARE, second, -1)
    extra_family = choice_rows(
        rng, without(np.broadcast_to(tables.career, affinity.shape), family, second)
    )
    has_extra = rng.random(n) < CAREER_EXTRA_SHARE
    n_skills = rng.integers(4, 9, n)
    room = n_skills - 2 - has_extra  # keep two skills or more in the main family
    n_second = np.where(
        second >= 0, np.clip(rng.binomial(n_skills, SECOND_FAMILY_SKILLS), 1, room), 0
    )
    first_ranked = family_ranking(rng, tables, family)
    second_ranked = family_ranking(rng, tables, np.maximum(second, 0))
    extra = family_ranking(rng, tables, extra_family)[:, 0]
    col = np.arange(8)[None, :]
    n_first = (n_skills - n_second - has_extra)[:, None]
    skills = np.where(
        col < n_first,
        np.take_along_axis(first_ranked, np.minimum(col, first_ranked.shape[1] - 1), axis=1),
        np.take_along_axis(second_ranked, np.maximum(col - n_first, 0), axis=1),
    )
    last = (col == (n_skills - 1)[:, None]) & has_extra[:, None]
    return family, second, np.where(last, extra[:, None], skills), n_skills


def _draw_goal_skills(rng: np.random.Generator, tables: Tables, family: Ints, second: Ints) -> Ints:
    """Candidate learning goals (T, 4): two skills of a family the talent does not work in,
    then two of another one, or for a fifth of talents of their own main family, to go
    deeper. Goals the talent already holds are dropped when the talent is built."""
    n = family.size
    interest = np.broadcast_to(tables.interest, (n, tables.n_families))
    elsewhere = without(interest + 1e-3, family, second)
    goal_family = choice_rows(rng, elsewhere)
    other = choice_rows(rng, without(elsewhere, goal_family))
    deeper = rng.random(n) < 0.2
    other = np.where(deeper, family, other)
    return two_family_skills(rng, tables, goal_family, other, rare_second=deeper)


def _draw_salaries(rng: np.random.Generator, age: Ints) -> Floats:
    """Monthly employer cost: lognormal around :data:`TYPICAL_SALARY`, rising with age."""
    log_salary = np.log(TYPICAL_SALARY) + rng.normal(0.0, 0.22, age.size) + 0.01 * (age - 57)
    salary = np.clip(np.exp(log_salary), 4_000.0, 13_000.0)
    return np.asarray(np.round(salary / 10.0) * 10.0, dtype=np.float64)


def _talent_languages(rng: np.random.Generator, tables: Tables, region: Ints) -> Bools:
    """The region's main language, its other languages mostly, English for most, and some
    the other national languages."""
    n = region.size
    main = choice_rows(rng, tables.region_main[region])
    share = np.array([{"nl": 0.2, "fr": 0.45, "en": 0.85, "de": 0.04}[x] for x in voc.LANGUAGES])
    share = np.where(tables.region_speaks[region], 0.7, share[None, :])
    speaks = rng.random((n, len(voc.LANGUAGES))) < share
    speaks[np.arange(n), main] = True
    return speaks


def _draw_org_links(
    rng: np.random.Generator, orgs: Orgs, n: int
) -> tuple[Ints, Ints, Ints, Ints, Ints, Ints]:
    """Alumni (0-3) and network (2-8) organizations by size; excluded ones (0-2) among the
    hosts, since only excluding a host changes anything. The own lender is dropped later."""
    everyone = np.arange(orgs.sector.size)
    hosts = np.flatnonzero(orgs.hosts)
    alumni = pick_weighted(rng, n * 3, everyone, orgs.size).reshape(n, 3)
    network = pick_weighted(rng, n * 8, everyone, orgs.size).reshape(n, 8)
    excluded = pick_weighted(rng, n * 2, hosts, orgs.size[hosts]).reshape(n, 2)
    return (
        alumni,
        draw_counts(rng, n, (0, 1, 2, 3), (0.45, 0.3, 0.15, 0.1)),
        network,
        rng.integers(2, 9, n),
        excluded,
        draw_counts(rng, n, (0, 1, 2), (0.6, 0.28, 0.12)),
    )


__all__ = [
    "Talents",
    "draw_talents",
]
