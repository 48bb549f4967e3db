"""Seeded, realistic synthetic rounds.

:func:`generate_round` builds a :class:`~matcher.models.Round` of organizations, talents and
work packages from the vocabularies in :mod:`matcher.vocabulary`. Every random number comes
from one :class:`numpy.random.Generator` seeded with ``seed`` and is drawn in arrays, record
kind by record kind; the pydantic models are then built (and validated) in one loop per kind.
The same seed and sizes always give the same round: dates count from the fixed
:data:`BASE_DATE`, never from today.

The package's modules: the shape parameters (:mod:`~matcher.generator.shape`), the
vocabularies as arrays and the random draws (:mod:`~matcher.generator.draws`), one module
per record kind drawn as arrays (:mod:`~matcher.generator.organizations`,
:mod:`~matcher.generator.packages`, :mod:`~matcher.generator.talents`), the preferences and
rankings (:mod:`~matcher.generator.rankings`), the budgets
(:mod:`~matcher.generator.budgets`), the models built from the arrays
(:mod:`~matcher.generator.build`) and the sizes and entry points
(:mod:`~matcher.generator.generate`). Every public name is imported from here.

The shapes follow the domain:

- organizations lend, host or both, by sector; small, tech and non-profit ones are often flat;
  some pairs in the same sector compete;
- talents are mostly 50-66 (a few younger, so that the age rule bites), hold 4-8 skills in one
  or two families of their lender's sector and want to learn skills of other families;
- packages ask for 1-3 skills of a family their host's sector needs, teach skills of another;
- hiring and top-up budgets are set below what the packages and talents would use, so that
  they bind without making most rounds infeasible.
"""

from __future__ import annotations

from matcher.generator.generate import (
    DEMO,
    HUGE,
    LARGE,
    MEDIUM,
    PRESETS,
    SMALL,
    TINY,
    Size,
    generate_preset,
    generate_round,
)
from matcher.generator.shape import BASE_DATE, TYPICAL_SALARY

__all__ = [
    "BASE_DATE",
    "DEMO",
    "HUGE",
    "LARGE",
    "MEDIUM",
    "PRESETS",
    "SMALL",
    "TINY",
    "TYPICAL_SALARY",
    "Size",
    "generate_preset",
    "generate_round",
]
