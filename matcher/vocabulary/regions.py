"""Regions and languages for synthetic rounds: the Belgian provinces and Brussels, the
languages spoken there, their population, their share of head offices and their main city.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

LANGUAGES: Final[tuple[str, ...]] = ("nl", "fr", "en", "de")
"""Working languages (ISO 639-1)."""

REGION_LANGUAGES: Final[Mapping[str, tuple[str, ...]]] = {
    "antwerp": ("nl",),
    "east-flanders": ("nl",),
    "west-flanders": ("nl",),
    "flemish-brabant": ("nl",),
    "limburg": ("nl",),
    "brussels": ("fr", "nl"),
    "walloon-brabant": ("fr",),
    "hainaut": ("fr",),
    "liege": ("fr",),
    "luxembourg": ("fr",),
    "namur": ("fr",),
    "east-cantons": ("de", "fr"),
}
"""The Belgian provinces (the German-speaking east cantons apart from Liège) and Brussels,
with the languages spoken there, most spoken first."""

REGIONS: Final[tuple[str, ...]] = tuple(REGION_LANGUAGES)

REGION_POPULATION: Final[Mapping[str, float]] = {
    "antwerp": 1_890,
    "east-flanders": 1_560,
    "west-flanders": 1_220,
    "flemish-brabant": 1_170,
    "limburg": 890,
    "brussels": 1_240,
    "walloon-brabant": 410,
    "hainaut": 1_350,
    "liege": 1_030,
    "luxembourg": 290,
    "namur": 500,
    "east-cantons": 80,
}
"""Population in thousands (rounded)."""

REGION_HEADQUARTERS: Final[Mapping[str, float]] = {
    "antwerp": 2_800,
    "east-flanders": 1_900,
    "west-flanders": 1_200,
    "flemish-brabant": 1_400,
    "limburg": 850,
    "brussels": 3_700,
    "walloon-brabant": 450,
    "hainaut": 1_250,
    "liege": 1_050,
    "luxembourg": 250,
    "namur": 550,
    "east-cantons": 80,
}
"""Relative number of organizations seated in each region: the population, with more in
Brussels and the large Flemish cities where head offices and public services cluster."""

REGION_CITIES: Final[Mapping[str, str]] = {
    "antwerp": "Antwerp",
    "east-flanders": "Ghent",
    "west-flanders": "Bruges",
    "flemish-brabant": "Leuven",
    "limburg": "Hasselt",
    "brussels": "Brussels",
    "walloon-brabant": "Wavre",
    "hainaut": "Mons",
    "liege": "Liège",
    "luxembourg": "Arlon",
    "namur": "Namur",
    "east-cantons": "Eupen",
}
"""The main city of each region, used to tell organizations with the same name apart."""

__all__ = [
    "LANGUAGES",
    "REGIONS",
    "REGION_CITIES",
    "REGION_HEADQUARTERS",
    "REGION_LANGUAGES",
    "REGION_POPULATION",
]
