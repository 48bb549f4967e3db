"""The policy of a round: how it is judged (score weights, eligibility rules, thresholds,
fairness, the objective) and its outcome floors, with the names of the scores, the rules and
the floors.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from matcher.compact import format_number
from matcher.models.fields import (
    MAX_COUNT,
    MAX_PENALTY,
    MAX_WEIGHT,
    Budget,
    Record,
    number_text,
    only_known,
)

SCORE_NAMES: tuple[str, ...] = (
    "strengths",
    "learning",
    "values",
    "context",
    "network",
    "preference",
    "cost",
)
"""The score components of a (talent, package) pair, in report order."""

RULE_NAMES: tuple[str, ...] = (
    "age",
    "location",
    "required_skills",
    "availability",
    "fte",
    "languages",
    "own_organization",
    "competitor",
    "excluded_organization",
    "forbidden_pair",
    "cost_split",
    "minimum_fit",
    "learning",
)
"""The eligibility rules, in the order in which exclusions are attributed."""

RULES_OFF_BY_DEFAULT: frozenset[str] = frozenset({"learning"})
"""Rules a policy enforces only when it names them (``rules: {"learning": true}``): the
others are on unless switched off."""

FLOOR_NAMES: tuple[str, ...] = ("learning", "strengths", "cross_sector")
"""The outcome floors a policy may set: placements in which the talent learns something
they want (the package teaches one of the talent's learning goals not yet mastered), uses a
strength (level 4+ on a required or desired skill of the package), or moves to another
sector."""


def _default_weights() -> dict[str, float]:
    return {
        "strengths": 3.0,
        "learning": 2.0,
        "values": 1.0,
        "context": 1.0,
        "network": 1.0,
        "preference": 1.0,
        "cost": 1.0,
    }


class Floor(Record):
    """A minimum share of the placements with an outcome (see :data:`FLOOR_NAMES`).

    Attributes
    ----------
    share
        The least share of all placements that must have the outcome, in [0, 1]; applied in
        steps of 1/1000 (:data:`matcher.floors.FLOOR_RESOLUTION`). 0 sets no floor.
    mode
        ``hard``: an assignment below the share breaks the round; ``soft``: it pays
        ``penalty`` per placement short (placements with the outcome missing to reach the
        share, rounded up).
    penalty
        Score points per placement short, when soft.
    """

    share: float = Field(ge=0, le=1, allow_inf_nan=False)
    mode: Literal["hard", "soft"] = "hard"
    penalty: float = Field(default=0.5, ge=0, le=MAX_PENALTY, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _compact(cls, value: object) -> object:
        """A share alone (``1.0``), or the compact text of a table cell, ``share[:mode[:
        penalty]]`` (``0.8:soft:0.5``), as the policy's ``floors`` map writes it."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"share": value}
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(":")]
            if len(parts) > 3:
                raise ValueError(f"floor {value!r} is not of the form share[:mode[:penalty]]")
            return dict(zip(("share", "mode", "penalty"), parts, strict=False))
        return value

    def compact(self) -> str:
        """The floor as a table cell writes it: ``0.8:soft:0.5``."""
        return f"{format_number(self.share)}:{self.mode}:{format_number(self.penalty)}"


class Policy(Record):
    """How a round is judged: score weights, hard rules, thresholds and fairness.

    Attributes
    ----------
    weights
        Weight of each score component in the total score (normalized by their sum);
        components not named keep their default weight.
    rules
        Eligibility rules switched on or off; rules not named are on, except those of
        :data:`RULES_OFF_BY_DEFAULT` (``learning``: the package teaches at least one of the
        talent's learning goals), which are off unless named.
    min_age, max_age
        The age policy: talents outside [min_age, max_age] are not eligible.
    min_fit
        Minimum strengths fit for a pair to be eligible (``minimum_fit`` rule).
    max_tours_per_talent
        How many packages one talent may hold in a round; when above one, the talent's
        packages must not overlap beyond the talent's FTE.
    subsidy_share, subsidy_pool
        Share of every top-up that the platform pays, and its monthly pool (``None``: no
        limit). With ``subsidy_share == 0`` the lender pays the whole top-up.
    min_per_lender
        Minimum placements per lending organization (fairness), capped by its talents.
    max_host_share
        Maximum share of all placements going to one hiring organization.
    fairness
        Whether the two fairness rules are hard constraints or soft penalties.
    objective
        ``lexicographic``: most placements first, then total score; ``weighted``: one sum.
    top_k
        Keep only the ``top_k`` best-scored eligible packages per talent (pins kept).
    breadth_bonus
        Score points added once for each distinct (lender, host) link the placements use:
        a soft term for network breadth, several hosts per lender rather than one (0: off).
    floors
        Outcome floors by name (:data:`FLOOR_NAMES`): the least share of the placements in
        which the talent learns something they want, uses a strength, or moves to another
        sector, each hard or soft (:class:`Floor`).
    """

    weights: dict[str, float] = Field(default_factory=_default_weights)
    rules: dict[str, bool] = Field(default_factory=dict)
    min_age: int = Field(default=50, ge=0, le=100)
    max_age: int | None = Field(default=None, ge=0, le=120)
    min_fit: float = Field(default=0.0, ge=0, le=1)
    max_tours_per_talent: int = Field(default=1, ge=1, le=20)
    subsidy_share: float = Field(default=0.0, ge=0, le=1)
    subsidy_pool: Budget | None = None
    min_per_lender: int = Field(default=0, ge=0)
    max_host_share: float = Field(default=1.0, gt=0, le=1)
    fairness: Literal["hard", "soft"] = "soft"
    fairness_penalty: float = Field(default=0.5, ge=0, allow_inf_nan=False)
    disruption_penalty: float = Field(default=0.2, ge=0, allow_inf_nan=False)
    objective: Literal["lexicographic", "weighted"] = "lexicographic"
    placement_weight: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    network_new: float = Field(default=1.0, ge=0, le=1)
    network_known: float = Field(default=0.4, ge=0, le=1)
    network_boomerang: float = Field(default=0.6, ge=0, le=1)
    top_k: int | None = Field(default=None, ge=1)
    breadth_bonus: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    floors: dict[str, Floor] = Field(default_factory=dict)

    @field_validator("weights")
    @classmethod
    def _known_weights(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(SCORE_NAMES))
        if unknown:
            raise ValueError(f"unknown score {unknown[0]!r}; known: {', '.join(SCORE_NAMES)}")
        for name, weight in value.items():
            if not weight >= 0 or weight == float("inf"):
                raise ValueError(f"weight of {name!r} must be a finite number >= 0")
            if weight > MAX_WEIGHT:
                raise ValueError(
                    f"weight of {name!r} {number_text(weight)} is above the largest weight "
                    f"handled, {MAX_WEIGHT:,}"
                )
        # named weights override the defaults; set a weight to 0 to leave a score out
        weights = _default_weights() | value
        if not any(weights.values()):
            raise ValueError(
                "every score weight is 0, so every pair would score 0; give at least one of "
                f"{', '.join(SCORE_NAMES)} a positive weight"
            )
        return weights

    @field_validator("floors")
    @classmethod
    def _known_floors(cls, value: dict[str, Floor]) -> dict[str, Floor]:
        only_known(value, FLOOR_NAMES, "floor")
        return value

    @field_validator("fairness_penalty", "disruption_penalty", "placement_weight", "breadth_bonus")
    @classmethod
    def _penalty_limit(cls, value: float, info: ValidationInfo) -> float:
        if value > MAX_PENALTY:
            raise ValueError(
                f"{info.field_name} {number_text(value)} is above the largest penalty or "
                f"placement weight handled, {MAX_PENALTY:,} score points"
            )
        return value

    @field_validator("top_k", "min_per_lender")
    @classmethod
    def _count_limit(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and value > MAX_COUNT:
            raise ValueError(
                f"{info.field_name} {number_text(value)} is above the largest count handled, "
                f"{MAX_COUNT:,}"
            )
        return value

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, value: dict[str, bool]) -> dict[str, bool]:
        only_known(value, RULE_NAMES, "rule")
        return value

    @model_validator(mode="after")
    def _ages(self) -> Policy:
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValueError(f"max_age {self.max_age} is below min_age {self.min_age}")
        return self

    def rule_on(self, name: str) -> bool:
        """Whether eligibility rule ``name`` is enforced."""
        return self.rules.get(name, name not in RULES_OFF_BY_DEFAULT)

    def active_floors(self) -> dict[str, Floor]:
        """The floors that require something (share above 0), in :data:`FLOOR_NAMES` order."""
        return {
            name: self.floors[name]
            for name in FLOOR_NAMES
            if name in self.floors and self.floors[name].share > 0
        }


__all__ = [
    "FLOOR_NAMES",
    "RULES_OFF_BY_DEFAULT",
    "RULE_NAMES",
    "SCORE_NAMES",
    "Floor",
    "Policy",
]
