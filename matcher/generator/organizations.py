"""The organizations of a generated round as arrays: sector, role, structure, size,
headquarters, competitors and the parts of their names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher import vocabulary as voc
from matcher.generator.draws import Bools, Floats, Ints, Tables, choice_rows, normalized
from matcher.generator.shape import HOST, LENDER, ORG_SIZE_SIGMA


@dataclass(frozen=True, eq=False)
class Orgs:
    """The organizations, one entry (row) per organization."""

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


def draw_organizations(rng: np.random.Generator, tables: Tables, n: int) -> Orgs:
    """``n`` organizations, sized lognormally, with roles and structures by sector."""
    sector = rng.choice(len(voc.SECTORS), size=n, p=normalized(tables.sector_share))
    size = rng.lognormal(0.0, ORG_SIZE_SIGMA, n)
    role = _ensure_roles(choice_rows(rng, tables.sector_roles[sector]))
    small = size < np.median(size)
    flat = rng.random(n) < np.clip(tables.sector_flat[sector] + 0.2 * small, 0.0, 0.9)
    region = rng.choice(len(voc.REGIONS), size=n, p=tables.region_headquarters)
    return Orgs(
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


__all__ = [
    "Orgs",
    "draw_organizations",
]
