"""Embedded vocabularies for synthetic rounds: skills, sectors, values, languages, regions.

Plain data only. Skill names are lowercase and hyphenated. Within each family the skills are
listed from the most to the least commonly held, and generators use that order as a
popularity ranking. Weights are relative: only their ratios matter.

The package's modules hold the skills (:mod:`~matcher.vocabulary.skills`), the sectors and
their values (:mod:`~matcher.vocabulary.sectors`), the regions and languages
(:mod:`~matcher.vocabulary.regions`), and the words of names, titles and missions
(:mod:`~matcher.vocabulary.names`); every table is read from here
(``from matcher import vocabulary as voc``).
"""

from __future__ import annotations

from matcher.vocabulary.names import (
    FAMILY_MISSIONS,
    NAME_PREFIXES,
    ROLE_TITLES,
    SECTOR_NAME_NOUNS,
    SKILL_LABELS,
)
from matcher.vocabulary.regions import (
    LANGUAGES,
    REGION_CITIES,
    REGION_HEADQUARTERS,
    REGION_LANGUAGES,
    REGION_POPULATION,
    REGIONS,
)
from matcher.vocabulary.sectors import (
    SECTOR_AFFINITY,
    SECTOR_FLAT_SHARE,
    SECTOR_RIVALRY,
    SECTOR_ROLE_SHARES,
    SECTOR_SHARE,
    SECTOR_VALUES,
    SECTORS,
    VALUES,
)
from matcher.vocabulary.skills import (
    CAREER_FAMILIES,
    LEARNING_INTEREST,
    SKILL_FAMILIES,
    SKILLS,
)

__all__ = [
    "CAREER_FAMILIES",
    "FAMILY_MISSIONS",
    "LANGUAGES",
    "LEARNING_INTEREST",
    "NAME_PREFIXES",
    "REGIONS",
    "REGION_CITIES",
    "REGION_HEADQUARTERS",
    "REGION_LANGUAGES",
    "REGION_POPULATION",
    "ROLE_TITLES",
    "SECTORS",
    "SECTOR_AFFINITY",
    "SECTOR_FLAT_SHARE",
    "SECTOR_NAME_NOUNS",
    "SECTOR_RIVALRY",
    "SECTOR_ROLE_SHARES",
    "SECTOR_SHARE",
    "SECTOR_VALUES",
    "SKILLS",
    "SKILL_FAMILIES",
    "SKILL_LABELS",
    "VALUES",
]
