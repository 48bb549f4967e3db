"""The field types, value limits and checks that every record of a round shares.

Ids, shares, monthly pay and budgets are typed fields with their limits; the limits keep the
solvers' integer arithmetic exact (see the note on :data:`MAX_PAY` and the others). Every
record derives from :class:`Record`, immutable, with no unknown fields.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo

ID_PATTERN = r"^[^\s;:,]+$"
"""Ids have no spaces and none of the separators of the CSV and compact forms."""
Id = Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN)]
Share = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]

# Limits on the values of a round. No real round comes near them; they keep the solvers'
# integer arithmetic exact and inside int64 (money in cents, scores and penalties in units
# of 1/1000 point: solvers/units.py, matcher/objective.py), so that a round that validates
# can be solved.
MAX_PAY = 10_000_000
"""The largest monthly salary or fee cap, per talent or seat. Every per-placement amount
(host fee, top-up, subsidy) is at most the talent's salary; in cents, the solvers sum such
amounts over all eligible pairs, which stays below 2**63 up to 10**9 pairs."""
MAX_BUDGET = 1_000_000_000
"""The largest monthly budget (hiring, top-up) or subsidy pool: 10**11 cents, one number."""
MAX_WEIGHT = 1_000_000
"""The largest weight of a desired skill, a learning goal or a score component. Weights
count only relative to one another (scores are weighted means in [0, 1], summed in float32);
the limit keeps their sums far inside float32's range, where 1e308 becomes infinity."""
MAX_PENALTY = 100
"""The largest fairness or disruption penalty and placement weight, in score points (one
placement's score is at most 1). The solvers count them in 1/1000 point, and the
lexicographic objective's multiplier M grows with them (solvers/model/build.py): at most
talents x tours x 1,000 x (1 + disruption) plus 1,000 x fairness x twice the placements.
At this limit, with 100,000 talents and 20 tours, M < 10**12, and M times 10**7 eligible
pairs (what CP-SAT checks against int64) stays below 2**63."""
MAX_COUNT = 1_000_000
"""The largest ``top_k`` and ``min_per_lender``: more packages or placements than any round
holds."""

_LIMIT_NAMES = {
    "salary": "salary",
    "fee_cap": "fee cap",
    "topup_budget": "top-up budget",
    "hiring_budget": "hiring budget",
    "subsidy_pool": "subsidy pool",
}


def number_text(value: float) -> str:
    """A number as messages show it: ``1,500,000`` or ``1e+18``."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return repr(float(value))


def _at_most(limit: int, what: str) -> AfterValidator:
    def check(value: float, info: ValidationInfo) -> float:
        if value > limit:
            name = _LIMIT_NAMES.get(info.field_name or "", "amount")
            raise ValueError(
                f"{name} {number_text(value)} is above the largest {what} handled, "
                f"{limit:,} per month"
            )
        return value

    return AfterValidator(check)


Pay = Annotated[float, Field(ge=0, allow_inf_nan=False), _at_most(MAX_PAY, "salary or fee")]
"""A monthly salary or fee cap."""
Budget = Annotated[float, Field(ge=0, allow_inf_nan=False), _at_most(MAX_BUDGET, "budget")]
"""A monthly budget or subsidy pool."""


class Record(BaseModel):
    """Base of every record: immutable, no unknown fields, text stripped of outer spaces."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def check_levels(levels: dict[str, int], what: str) -> dict[str, int]:
    """Refuse a skill level outside 1-5."""
    for skill, level in levels.items():
        if not 1 <= level <= 5:
            raise ValueError(f"{what} level {level} for '{skill}' is outside 1-5")
    return levels


def check_weights(weights: dict[str, float], what: str) -> dict[str, float]:
    """Refuse a skill weight that is not a positive number up to :data:`MAX_WEIGHT`."""
    for skill, weight in weights.items():
        if not weight > 0 or weight != weight or weight == float("inf"):
            raise ValueError(f"{what} weight {weight} for '{skill}' must be a positive number")
        if weight > MAX_WEIGHT:
            raise ValueError(
                f"{what} weight {number_text(weight)} for '{skill}' is above the largest "
                f"weight handled, {MAX_WEIGHT:,}"
            )
    return weights


def only_known(names: Collection[str], known: Sequence[str], what: str) -> None:
    """Refuse a name not in ``known``, listing the known ones."""
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}; known: {', '.join(known)}")


def check_unique(items: list[str]) -> list[str]:
    """Refuse a list that names an item more than once."""
    if len(set(items)) == len(items):  # the common case, without building a Counter
        return items
    repeated = sorted(name for name, count in Counter(items).items() if count > 1)
    if repeated:
        raise ValueError(f"{', '.join(repr(x) for x in repeated)} listed more than once")
    return items


__all__ = [
    "ID_PATTERN",
    "MAX_BUDGET",
    "MAX_COUNT",
    "MAX_PAY",
    "MAX_PENALTY",
    "MAX_WEIGHT",
    "Budget",
    "Id",
    "Pay",
    "Record",
    "Share",
    "check_levels",
    "check_unique",
    "check_weights",
    "number_text",
    "only_known",
]
