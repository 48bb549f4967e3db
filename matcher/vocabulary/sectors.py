"""Sectors for synthetic rounds: how common each is, the skill families it employs, its
organizations' structures, roles and rivalry, and the work values it stresses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

SECTOR_SHARE: Final[Mapping[str, float]] = {
    "public": 0.14,
    "healthcare": 0.10,
    "education": 0.09,
    "finance": 0.11,
    "manufacturing": 0.12,
    "retail": 0.08,
    "technology": 0.10,
    "energy": 0.07,
    "non-profit": 0.10,
    "logistics": 0.09,
}
"""Share of organizations in each sector."""

SECTORS: Final[tuple[str, ...]] = tuple(SECTOR_SHARE)

SECTOR_AFFINITY: Final[Mapping[str, Mapping[str, float]]] = {
    "public": {
        "public-policy": 3.0,
        "project-change": 2.0,
        "finance": 1.5,
        "legal-compliance": 1.5,
        "data-it": 1.5,
        "leadership": 1.5,
        "hr-people": 1.0,
        "operations": 0.8,
        "marketing-communication": 0.8,
        "sustainability-energy": 0.8,
    },
    "healthcare": {
        "healthcare": 4.0,
        "operations": 1.2,
        "hr-people": 1.2,
        "project-change": 1.2,
        "leadership": 1.2,
        "finance": 1.0,
        "data-it": 1.0,
        "legal-compliance": 0.6,
    },
    "education": {
        "education": 4.0,
        "hr-people": 1.0,
        "project-change": 1.0,
        "leadership": 1.0,
        "data-it": 1.0,
        "public-policy": 0.8,
        "finance": 0.6,
        "marketing-communication": 0.5,
    },
    "finance": {
        "finance": 4.0,
        "data-it": 2.0,
        "legal-compliance": 1.5,
        "sales": 1.2,
        "project-change": 1.0,
        "leadership": 1.0,
        "marketing-communication": 0.6,
        "hr-people": 0.5,
    },
    "manufacturing": {
        "engineering": 4.0,
        "operations": 2.5,
        "project-change": 1.0,
        "leadership": 1.0,
        "finance": 0.8,
        "sales": 0.8,
        "data-it": 0.8,
        "sustainability-energy": 0.8,
        "hr-people": 0.5,
    },
    "retail": {
        "sales": 3.0,
        "marketing-communication": 2.5,
        "operations": 2.0,
        "data-it": 1.0,
        "hr-people": 1.0,
        "leadership": 1.0,
        "finance": 0.8,
        "project-change": 0.6,
    },
    "technology": {
        "data-it": 4.5,
        "project-change": 1.5,
        "sales": 1.0,
        "leadership": 1.0,
        "marketing-communication": 0.8,
        "engineering": 0.8,
        "finance": 0.5,
        "legal-compliance": 0.4,
    },
    "energy": {
        "sustainability-energy": 3.5,
        "engineering": 2.5,
        "project-change": 1.2,
        "operations": 1.0,
        "finance": 0.8,
        "legal-compliance": 0.8,
        "data-it": 0.8,
        "leadership": 0.8,
        "public-policy": 0.6,
    },
    "non-profit": {
        "public-policy": 2.0,
        "marketing-communication": 1.5,
        "education": 1.2,
        "project-change": 1.2,
        "sustainability-energy": 1.2,
        "healthcare": 1.0,
        "hr-people": 1.0,
        "finance": 1.0,
        "leadership": 1.0,
    },
    "logistics": {
        "operations": 4.0,
        "data-it": 1.2,
        "engineering": 1.0,
        "sales": 1.0,
        "project-change": 1.0,
        "leadership": 1.0,
        "finance": 0.8,
        "sustainability-energy": 0.6,
    },
}
"""How much each sector employs (and asks for) each skill family; families not named: 0."""

SECTOR_FLAT_SHARE: Final[Mapping[str, float]] = {
    "public": 0.10,
    "healthcare": 0.15,
    "education": 0.30,
    "finance": 0.15,
    "manufacturing": 0.20,
    "retail": 0.25,
    "technology": 0.60,
    "energy": 0.30,
    "non-profit": 0.55,
    "logistics": 0.20,
}
"""Share of organizations of each sector with a flat structure (before the size effect)."""

SECTOR_ROLE_SHARES: Final[Mapping[str, tuple[float, float, float]]] = {
    "public": (0.15, 0.45, 0.40),
    "healthcare": (0.25, 0.35, 0.40),
    "education": (0.20, 0.40, 0.40),
    "finance": (0.55, 0.10, 0.35),
    "manufacturing": (0.50, 0.15, 0.35),
    "retail": (0.45, 0.15, 0.40),
    "technology": (0.40, 0.20, 0.40),
    "energy": (0.30, 0.30, 0.40),
    "non-profit": (0.10, 0.60, 0.30),
    "logistics": (0.45, 0.15, 0.40),
}
"""Shares of the roles (lender, host, both) in each sector: corporates with many seniors
lend more, public and non-profit organizations host more."""

SECTOR_RIVALRY: Final[Mapping[str, float]] = {
    "public": 0.0,
    "healthcare": 0.25,
    "education": 0.10,
    "finance": 0.60,
    "manufacturing": 0.40,
    "retail": 0.60,
    "technology": 0.50,
    "energy": 0.50,
    "non-profit": 0.05,
    "logistics": 0.50,
}
"""Chance that an organization of the sector is paired with a competitor in the same sector."""

VALUES: Final[tuple[str, ...]] = (
    "sustainability",
    "integrity",
    "inclusion",
    "public-service",
    "innovation",
    "autonomy",
    "collaboration",
    "craftsmanship",
    "customer-focus",
    "social-impact",
    "care",
    "education",
    "entrepreneurship",
    "stability",
    "transparency",
    "excellence",
)
"""Work values that talents and packages state."""

SECTOR_VALUES: Final[Mapping[str, Mapping[str, float]]] = {
    "public": {"public-service": 4.0, "integrity": 2.5, "transparency": 2.0, "stability": 1.5},
    "healthcare": {"care": 4.0, "inclusion": 2.0, "excellence": 1.5, "collaboration": 1.5},
    "education": {"education": 4.0, "inclusion": 2.0, "care": 1.5, "social-impact": 1.5},
    "finance": {"integrity": 2.5, "stability": 2.0, "excellence": 2.0, "customer-focus": 1.5},
    "manufacturing": {"craftsmanship": 3.0, "excellence": 2.0, "innovation": 1.5},
    "retail": {"customer-focus": 3.5, "entrepreneurship": 2.0, "collaboration": 1.5},
    "technology": {"innovation": 3.5, "autonomy": 2.5, "entrepreneurship": 2.0},
    "energy": {"sustainability": 4.0, "innovation": 2.0, "public-service": 1.2},
    "non-profit": {"social-impact": 4.0, "inclusion": 2.5, "sustainability": 2.0, "care": 1.5},
    "logistics": {"customer-focus": 2.0, "collaboration": 2.0, "stability": 1.5},
}
"""Values each sector stresses (multipliers over a base weight of 1 for every value)."""

__all__ = [
    "SECTORS",
    "SECTOR_AFFINITY",
    "SECTOR_FLAT_SHARE",
    "SECTOR_RIVALRY",
    "SECTOR_ROLE_SHARES",
    "SECTOR_SHARE",
    "SECTOR_VALUES",
    "VALUES",
]
