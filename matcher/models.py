"""Domain models: organizations, talents, work packages, policy and the round that holds them.

All models are immutable pydantic models; make variants with ``model_copy(update=...)``.
Field-level checks (ranges, formats) live on each model; checks across records (references,
duplicates, roles) live on :class:`Round`, and every message names the record and the field.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from matcher.compact import format_number

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


class Structure(StrEnum):
    """How an organization is layered; a move to a flatter one is a source of novelty."""

    HIERARCHICAL = "hierarchical"
    FLAT = "flat"


class Role(StrEnum):
    """What an organization does on the platform."""

    LENDER = "lender"
    HOST = "host"
    BOTH = "both"


class RemoteMode(StrEnum):
    """Where a work package is done."""

    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _check_levels(levels: dict[str, int], what: str) -> dict[str, int]:
    for skill, level in levels.items():
        if not 1 <= level <= 5:
            raise ValueError(f"{what} level {level} for '{skill}' is outside 1-5")
    return levels


def _check_weights(weights: dict[str, float], what: str) -> dict[str, float]:
    for skill, weight in weights.items():
        if not weight > 0 or weight != weight or weight == float("inf"):
            raise ValueError(f"{what} weight {weight} for '{skill}' must be a positive number")
        if weight > MAX_WEIGHT:
            raise ValueError(
                f"{what} weight {number_text(weight)} for '{skill}' is above the largest "
                f"weight handled, {MAX_WEIGHT:,}"
            )
    return weights


def _only_known(names: Collection[str], known: Sequence[str], what: str) -> None:
    """Refuse a name not in ``known``, listing the known ones."""
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}; known: {', '.join(known)}")


def _check_unique(items: list[str]) -> list[str]:
    if len(set(items)) == len(items):  # the common case, without building a Counter
        return items
    repeated = sorted(name for name, count in Counter(items).items() if count > 1)
    if repeated:
        raise ValueError(f"{', '.join(repr(x) for x in repeated)} listed more than once")
    return items


class Organization(_Record):
    """An organization that lends talents, hosts work packages, or both.

    Budgets are monthly totals; ``None`` means no limit.
    """

    id: Id
    name: str = Field(min_length=1)
    sector: str = Field(min_length=1)
    structure: Structure = Structure.HIERARCHICAL
    role: Role = Role.BOTH
    competitors: list[Id] = Field(default_factory=list)
    topup_budget: Budget | None = None
    hiring_budget: Budget | None = None

    @property
    def lends(self) -> bool:
        """Whether the organization may lend talents."""
        return self.role in (Role.LENDER, Role.BOTH)

    @property
    def hosts(self) -> bool:
        """Whether the organization may host work packages."""
        return self.role in (Role.HOST, Role.BOTH)

    @field_validator("competitors")
    @classmethod
    def _competitors_unique(cls, value: list[str]) -> list[str]:
        return _check_unique(value)


class Talent(_Record):
    """A senior employee lent by ``lender`` for a tour of duty.

    ``salary`` is the monthly employer cost at full time; ``retention`` is the share of it
    that is guaranteed while on tour; ``fte`` is the share of full time available.
    """

    id: Id
    lender: Id
    age: int = Field(ge=16, le=100)
    strengths: dict[str, int] = Field(default_factory=dict)
    learning_goals: dict[str, float] = Field(default_factory=dict)
    values: list[str] = Field(default_factory=list)
    salary: Pay
    retention: Share = 1.0
    fte: Share = 1.0
    available_from: dt.date
    available_to: dt.date
    region: str = Field(min_length=1)
    accepts_remote: bool = True
    languages: list[str] = Field(default_factory=list)
    alumni: list[Id] = Field(default_factory=list)
    network: list[Id] = Field(default_factory=list)
    excluded: list[Id] = Field(default_factory=list)
    preferences: list[Id] = Field(default_factory=list)

    @field_validator("strengths")
    @classmethod
    def _strength_levels(cls, value: dict[str, int]) -> dict[str, int]:
        return _check_levels(value, "strength")

    @field_validator("learning_goals")
    @classmethod
    def _goal_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_weights(value, "learning goal")

    @field_validator("values", "languages", "alumni", "network", "excluded", "preferences")
    @classmethod
    def _lists_unique(cls, value: list[str]) -> list[str]:
        return _check_unique(value)

    @model_validator(mode="after")
    def _window(self) -> Talent:
        if self.available_to < self.available_from:
            raise ValueError(
                f"available_to {self.available_to} is before available_from {self.available_from}"
            )
        return self


class WorkPackage(_Record):
    """A tour of duty offered by ``host``: a mission over a fixed interval, with seats.

    ``fee_cap`` is the most the host pays per seat per month; the lender tops up the rest
    of the talent's retained salary.
    """

    id: Id
    host: Id
    title: str = Field(min_length=1)
    mission: str = ""
    required: dict[str, int] = Field(default_factory=dict)
    desired: dict[str, float] = Field(default_factory=dict)
    learnable: list[str] = Field(default_factory=list)
    values: list[str] = Field(default_factory=list)
    seats: int = Field(ge=1, le=10_000)
    fte: Share = 1.0
    start: dt.date
    end: dt.date
    fee_cap: Pay
    region: str = Field(min_length=1)
    remote: RemoteMode = RemoteMode.ONSITE
    languages: list[str] = Field(default_factory=list)
    ranking: list[Id] = Field(default_factory=list)

    @field_validator("required")
    @classmethod
    def _required_levels(cls, value: dict[str, int]) -> dict[str, int]:
        return _check_levels(value, "required")

    @field_validator("desired")
    @classmethod
    def _desired_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_weights(value, "desired skill")

    @field_validator("learnable", "values", "languages", "ranking")
    @classmethod
    def _lists_unique(cls, value: list[str]) -> list[str]:
        return _check_unique(value)

    @model_validator(mode="after")
    def _interval(self) -> WorkPackage:
        both = sorted(set(self.required) & set(self.desired))
        if both:
            raise ValueError(f"skill '{both[0]}' is both required and desired; list it once")
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def months(self) -> float:
        """Length of the tour in months (30.44 days each)."""
        return ((self.end - self.start).days + 1) / 30.44


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


class Floor(_Record):
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


class Policy(_Record):
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
        _only_known(value, FLOOR_NAMES, "floor")
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
        _only_known(value, RULE_NAMES, "rule")
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


class Pair(_Record):
    """A (talent, package) pair, used for pins and forbidden pairs."""

    talent: Id
    package: Id


class PreviousPlacement(Pair):
    """A placement from the previous round: ``accepted`` ones are kept, ``proposed`` ones
    may change at a penalty."""

    status: Literal["accepted", "proposed"] = "proposed"


class Round(_Record):
    """Everything in play in one matching round.

    Cross-record checks run on construction: duplicate ids, unknown references, roles,
    and pins that contradict forbidden pairs. Each error names the record and the field.
    """

    id: Id = "round"
    name: str = ""
    organizations: list[Organization]
    talents: list[Talent]
    packages: list[WorkPackage]
    policy: Policy = Field(default_factory=Policy)
    pins: list[Pair] = Field(default_factory=list)
    forbidden: list[Pair] = Field(default_factory=list)
    previous: list[PreviousPlacement] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Round:
        _no_duplicates("organizations", "organization", [o.id for o in self.organizations])
        _no_duplicates("talents", "talent", [t.id for t in self.talents])
        _no_duplicates("packages", "package", [p.id for p in self.packages])
        orgs = {o.id: o for o in self.organizations}
        talents = {t.id for t in self.talents}
        packages = {p.id for p in self.packages}
        for i, org in enumerate(self.organizations):
            for other in org.competitors:
                where = f"organization '{org.id}' (organizations[{i}]), field 'competitors'"
                _known(orgs, other, where)
        for i, t in enumerate(self.talents):
            where = f"talent '{t.id}' (talents[{i}])"
            _known(orgs, t.lender, f"{where}, field 'lender'")
            if not orgs[t.lender].lends:
                raise ValueError(
                    f"{where}, field 'lender': organization '{t.lender}' only hosts "
                    "(role 'host') and cannot lend talents"
                )
            for org_id in t.excluded:
                _known(orgs, org_id, f"{where}, field 'excluded'")
            for package_id in t.preferences:
                _known(packages, package_id, f"{where}, field 'preferences'", "package")
        for i, p in enumerate(self.packages):
            where = f"package '{p.id}' (packages[{i}])"
            _known(orgs, p.host, f"{where}, field 'host'")
            if not orgs[p.host].hosts:
                raise ValueError(
                    f"{where}, field 'host': organization '{p.host}' only lends "
                    "(role 'lender') and cannot host packages"
                )
            for talent_id in p.ranking:
                _known(talents, talent_id, f"{where}, field 'ranking'", "talent")
        for field, pairs in (
            ("pins", self.pins),
            ("forbidden", self.forbidden),
            ("previous", self.previous),
        ):
            for i, pair in enumerate(pairs):
                _known(talents, pair.talent, f"{field}[{i}], field 'talent'", "talent")
                _known(packages, pair.package, f"{field}[{i}], field 'package'", "package")
        _no_duplicate_pairs("pins", "pin", self.pins)
        _no_duplicate_pairs("forbidden", "forbidden pair", self.forbidden)
        _no_duplicate_pairs("previous", "previous placement", self.previous)
        forbidden = {(p.talent, p.package): i for i, p in enumerate(self.forbidden)}
        for i, pin in enumerate(self.pins):
            if (pin.talent, pin.package) in forbidden:
                raise ValueError(
                    f"pins[{i}]: pair talent '{pin.talent}' / package '{pin.package}' "
                    f"is also forbidden (forbidden[{forbidden[pin.talent, pin.package]}])"
                )
        _floors_reachable(self)
        return self

    def over_capacity(self) -> list[str]:
        """The pinned and accepted placements that cannot all be made, one message each:
        more on a package than its seats, or on a talent than the policy's
        ``max_tours_per_talent``.

        Not a validation error: the solvers report such a round as infeasible and name the
        constraint groups in conflict; ``cosource`` refuses it as bad input.
        """
        forced: list[tuple[str, Pair]] = [(f"pins[{i}]", pin) for i, pin in enumerate(self.pins)]
        forced += [
            (f"previous[{i}]", x) for i, x in enumerate(self.previous) if x.status == "accepted"
        ]
        by_package: dict[str, list[str]] = {}
        by_talent: dict[str, list[str]] = {}
        for where, pair in forced:
            by_package.setdefault(pair.package, []).append(where)
            by_talent.setdefault(pair.talent, []).append(where)
        messages = []
        for i, package in enumerate(self.packages):
            held = by_package.get(package.id, [])
            if len(held) > package.seats:
                seats = f"{package.seats} seat{'s' if package.seats > 1 else ''}"
                messages.append(
                    f"package '{package.id}' (packages[{i}]), field 'seats': {seats}, but "
                    f"{len(held)} pinned or accepted placements ({', '.join(held)})"
                )
        tours = self.policy.max_tours_per_talent
        packages = {p.id: p for p in self.packages}
        pairs = dict(forced)
        for i, talent in enumerate(self.talents):
            held = by_talent.get(talent.id, [])
            if len(held) > tours:
                messages.append(
                    f"talent '{talent.id}' (talents[{i}]): {len(held)} pinned or accepted "
                    f"placements ({', '.join(held)}), but policy field 'max_tours_per_talent' "
                    f"allows {tours}"
                )
            elif len(held) > 1:
                peak = peak_fte([packages[pairs[where].package] for where in held])
                if peak > talent.fte + 1e-6:
                    messages.append(
                        f"talent '{talent.id}' (talents[{i}]), field 'fte': pinned or accepted "
                        f"placements ({', '.join(held)}) overlap with {peak:g} FTE, above the "
                        f"talent's {talent.fte:g}"
                    )
        return messages

    def organization(self, org_id: str) -> Organization:
        """The organization with id ``org_id``."""
        for org in self.organizations:
            if org.id == org_id:
                return org
        raise KeyError(f"unknown organization '{org_id}'")


def peak_fte(packages: list[WorkPackage]) -> float:
    """Largest total FTE of the packages running on any one day."""
    events = sorted(
        [(p.start.toordinal(), 0, p.fte) for p in packages]
        + [(p.end.toordinal() + 1, -1, -p.fte) for p in packages]
    )
    load, peak = 0.0, 0.0
    for _, _, delta in events:
        load += delta
        peak = max(peak, load)
    return peak


def _floors_reachable(round_: Round) -> None:
    """Refuse a floor on an outcome that no (talent, package) pair of the round has: no
    placement could count towards it."""
    floors = round_.policy.active_floors()
    if not floors or not round_.talents or not round_.packages:
        return
    why: dict[str, str] = {}
    if "learning" in floors:
        wanted = {
            s
            for t in round_.talents
            for s, _ in t.learning_goals.items()
            if t.strengths.get(s, 0) < 5
        }
        taught = {s for p in round_.packages for s in p.learnable}
        if not wanted & taught:
            why["learning"] = "no package teaches a learning goal that a talent has not mastered"
    if "strengths" in floors:
        strong = {s for t in round_.talents for s, level in t.strengths.items() if level >= 4}
        asked = {s for p in round_.packages for s in (*p.required, *p.desired)}
        if not strong & asked:
            why["strengths"] = "no package requires or desires a skill a talent has at level 4+"
    if "cross_sector" in floors:
        sectors = {o.id: o.sector for o in round_.organizations}
        lending = {sectors[t.lender] for t in round_.talents}
        hosting = {sectors[p.host] for p in round_.packages}
        if len(lending | hosting) == 1:
            why["cross_sector"] = "every lender and host is in one sector"
    for name, reason in why.items():
        raise ValueError(
            f"policy field 'floors.{name}': {reason}, so no placement can count towards the "
            f"floor of {floors[name].share:g}; remove the floor or set its share to 0"
        )


def _no_duplicates(collection: str, kind: str, ids: list[str]) -> None:
    first: dict[str, int] = {}
    for i, record_id in enumerate(ids):
        if record_id in first:
            raise ValueError(
                f"{kind} '{record_id}' ({collection}[{i}]), field 'id': duplicate id, "
                f"already used by {collection}[{first[record_id]}]"
            )
        first[record_id] = i


def _no_duplicate_pairs(collection: str, kind: str, pairs: Sequence[Pair]) -> None:
    first: dict[tuple[str, str], int] = {}
    for i, pair in enumerate(pairs):
        key = (pair.talent, pair.package)
        if key in first:
            raise ValueError(
                f"{collection}[{i}]: duplicate {kind} talent '{pair.talent}' / package "
                f"'{pair.package}', already at {collection}[{first[key]}]"
            )
        first[key] = i


def _known(known: Collection[str], ref: str, where: str, kind: str = "organization") -> None:
    if ref not in known:
        raise ValueError(f"{where}: unknown {kind} '{ref}'")
