"""Generated rounds by size: :func:`generate_round` draws the records kind by kind from one
seeded random generator and builds the round; :data:`PRESETS` names the usual sizes.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np

from matcher.generator.budgets import hiring_budgets, topup_budgets
from matcher.generator.build import build_organizations, build_packages, build_talents
from matcher.generator.draws import numbered_ids, vocabulary_tables
from matcher.generator.organizations import draw_organizations
from matcher.generator.packages import draw_packages
from matcher.generator.rankings import draw_preferences, draw_rankings
from matcher.generator.talents import draw_talents
from matcher.models import Policy, Round


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
    tables = vocabulary_tables()
    orgs = draw_organizations(rng, tables, max(6, n_talents // 40))
    packages = draw_packages(rng, tables, orgs, n_packages)
    talents = draw_talents(rng, tables, orgs, n_talents)
    preferences = draw_preferences(rng, talents, packages, tables.n_families)
    rankings = draw_rankings(rng, talents, packages, tables.n_families)
    hiring = hiring_budgets(rng, orgs, packages)
    topups = topup_budgets(rng, orgs, talents, packages)

    org_models = build_organizations(orgs, hiring, topups)
    org_ids = [o.id for o in org_models]
    talent_ids = numbered_ids("t", n_talents, 5)
    package_ids = numbered_ids("p", n_packages, 5)
    return Round(
        id=f"synthetic-{n_talents}x{n_packages}-seed{seed}",
        name=f"Synthetic round: {n_talents:,} talents, {n_packages:,} packages (seed {seed})",
        organizations=org_models,
        talents=build_talents(talents, tables, talent_ids, org_ids, package_ids, preferences),
        packages=build_packages(packages, tables, package_ids, org_models, talent_ids, rankings),
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


__all__ = [
    "DEMO",
    "HUGE",
    "LARGE",
    "MEDIUM",
    "PRESETS",
    "SMALL",
    "TINY",
    "Size",
    "generate_preset",
    "generate_round",
]
