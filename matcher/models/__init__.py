"""Domain models: organizations, talents, work packages, policy and the round that holds them.

All models are immutable pydantic models; make variants with ``model_copy(update=...)``.
Field-level checks (ranges, formats) live on each model; checks across records (references,
duplicates, roles) live on :class:`Round`, and every message names the record and the field.

The package's modules hold, in the order they build on one another: the field types, value
limits and shared checks (:mod:`~matcher.models.fields`), the records
(:mod:`~matcher.models.records`), the policy (:mod:`~matcher.models.policy`) and the round
(:mod:`~matcher.models.round`). Every name is imported from here.
"""

from __future__ import annotations

from matcher.models.fields import (
    ID_PATTERN,
    MAX_BUDGET,
    MAX_COUNT,
    MAX_PAY,
    MAX_PENALTY,
    MAX_WEIGHT,
    Budget,
    Id,
    Pay,
    Share,
    number_text,
)
from matcher.models.policy import (
    FLOOR_NAMES,
    RULE_NAMES,
    RULES_OFF_BY_DEFAULT,
    SCORE_NAMES,
    Floor,
    Policy,
)
from matcher.models.records import (
    Organization,
    RemoteMode,
    Role,
    Structure,
    Talent,
    WorkPackage,
    peak_fte,
)
from matcher.models.round import Pair, PreviousPlacement, Round

__all__ = [
    "FLOOR_NAMES",
    "ID_PATTERN",
    "MAX_BUDGET",
    "MAX_COUNT",
    "MAX_PAY",
    "MAX_PENALTY",
    "MAX_WEIGHT",
    "RULES_OFF_BY_DEFAULT",
    "RULE_NAMES",
    "SCORE_NAMES",
    "Budget",
    "Floor",
    "Id",
    "Organization",
    "Pair",
    "Pay",
    "Policy",
    "PreviousPlacement",
    "RemoteMode",
    "Role",
    "Round",
    "Share",
    "Structure",
    "Talent",
    "WorkPackage",
    "number_text",
    "peak_fte",
]
