"""The talents' preferences over packages and the packages' rankings of talents, each drawn
within a skill family.
"""

from __future__ import annotations

import numpy as np

from matcher.generator.draws import Ints
from matcher.generator.packages import Packages
from matcher.generator.talents import Talents


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


def draw_preferences(
    rng: np.random.Generator, talents: Talents, packages: Packages, n_families: int
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


def draw_rankings(
    rng: np.random.Generator, talents: Talents, packages: Packages, n_families: int
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


__all__ = [
    "draw_preferences",
    "draw_rankings",
]
