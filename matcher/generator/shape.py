"""The shape parameters of generated rounds: the fixed day zero, the typical salary, the
roles and remote modes by index, and the weights and shares the records are drawn with.

They were tuned together (the comment below says to what end); change one and re-check
``tests/matcher/test_generator.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from matcher.models import RemoteMode, Role

BASE_DATE: Final = dt.date(2027, 1, 1)
"""Day zero of every generated round: availability and tours start after it."""
TYPICAL_SALARY: Final = 6_500.0
"""Median monthly employer cost of a talent at full time, in EUR."""

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


__all__ = [
    "AGES",
    "AGE_WEIGHTS",
    "BASE_DATE",
    "BOTH",
    "CAREER_ASK",
    "CAREER_EXTRA_SHARE",
    "CAREER_SECOND",
    "HOST",
    "LENDER",
    "LEVEL_WEIGHTS",
    "NO_TOPUP_SHARE",
    "ORG_SIZE_SIGMA",
    "POPULARITY_EXPONENT",
    "REMOTE",
    "REMOTE_ENGLISH_SHARE",
    "REMOTE_MODES",
    "REQUIRED_COUNT_WEIGHTS",
    "REQUIRED_LEVEL_WEIGHTS",
    "ROLES",
    "SECOND_FAMILY_SHARE",
    "SECOND_FAMILY_SKILLS",
    "SKILL_WEIGHTS",
    "TOUR_MONTH_WEIGHTS",
    "TYPICAL_SALARY",
    "UNLIMITED_SHARE",
    "YOUNGER_SHARE",
]
