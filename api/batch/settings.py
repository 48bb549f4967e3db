"""The keys of a scenario file, as pydantic models: what each scenario and the ``defaults``
may set (:class:`Settings`), and the file as a whole (:class:`BatchFile`). How a file is read
and its scenarios resolved is :mod:`api.batch.spec`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.cli_inputs import MAX_GENERATED, MAX_SEED, MAX_WORKERS
from matcher.models import Policy
from solvers.gap.instance import Sense
from solvers.registry import METHODS

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$"
"""Scenario names are folder names: letters, digits and ``_ . + -``."""
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=NAME_PATTERN)]
Factor = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]

SCALED = {
    "subsidy_pool": "subsidy pool",
    "topup_budgets": "lenders' top-up budgets",
    "hiring_budgets": "hosts' hiring budgets",
}
"""What a scenario's ``scale`` multiplies, and how the what-if view names it."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Generate(_Strict):
    """A seeded synthetic round (:func:`matcher.generator.generate_round`)."""

    talents: int = Field(ge=1, le=MAX_GENERATED)
    packages: int | None = Field(default=None, ge=1, le=MAX_GENERATED)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)


class Scale(_Strict):
    """Factors on the round's money limits; a limit that is absent (no limit) stays so."""

    subsidy_pool: Factor | None = None
    topup_budgets: Factor | None = None
    hiring_budgets: Factor | None = None


SUITES = ("gap",)
"""Benchmark suites a scenario may name: ``gap``, the public generalized assignment problem
instances (:mod:`solvers.gap`)."""


class Benchmark(_Strict):
    """A public benchmark instance, solved instead of a round.

    Attributes
    ----------
    suite
        One of :data:`SUITES`.
    instance
        The instance's name as its suite's best-known table gives it (``gap1-1``,
        ``c05100``).
    sense
        Minimise (the default) or maximise the instance's objective.
    """

    suite: str
    instance: str = Field(min_length=1, max_length=100)
    sense: Sense = Sense.MIN

    @field_validator("suite")
    @classmethod
    def _known_suite(cls, value: str) -> str:
        if value not in SUITES:
            raise ValueError(f"unknown suite {value!r}; known: {', '.join(SUITES)}")
        return value


class Settings(_Strict):
    """What a scenario sets; every field may be left to the base or the defaults.

    Attributes
    ----------
    round
        A round file or folder (JSON, CSV folder or workbook), relative to the scenario file.
    generate
        A seeded synthetic round instead of a file.
    method
        A solve method (:data:`solvers.registry.METHODS`); ``auto`` by default.
    time_limit
        Seconds for the scenario's whole run; the pipeline's default for the round's size
        when unset (:func:`api.pipeline.default_time_limit`).
    workers, seed, gap
        CP-SAT search workers (1 by default: a batch runs scenarios side by side), the seed,
        the relative gap to stop at.
    policy
        Overrides of the round's policy fields (:class:`matcher.models.Policy`).
    scale
        Factors on the round's subsidy pool and organizations' budgets.
    benchmark
        A benchmark instance instead of a round (no ``round``, ``generate``, ``policy`` or
        ``scale`` then); set per scenario, not in the defaults.
    """

    round: str | None = None
    generate: Generate | None = None
    method: str | None = None
    time_limit: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    workers: int | None = Field(default=None, ge=1, le=MAX_WORKERS)
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)
    gap: float | None = Field(default=None, ge=0, lt=1)
    policy: dict[str, Any] = Field(default_factory=dict)
    scale: Scale = Field(default_factory=Scale)
    benchmark: Benchmark | None = None

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str | None) -> str | None:
        if value is not None and value not in METHODS:
            raise ValueError(f"unknown method {value!r}; known: {', '.join(METHODS)}")
        return value

    @field_validator("policy")
    @classmethod
    def _policy_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(Policy.model_fields))
        if unknown:
            known = ", ".join(Policy.model_fields)
            raise ValueError(f"unknown policy field {unknown[0]!r}; known: {known}")
        # each value checked on its own, the others at their defaults (checks across fields
        # wait for the round's own policy: see api.batch.variants)
        Policy.model_validate(value)
        return value


class ScenarioEntry(Settings):
    """One scenario of the file: its settings, its ``name`` and its optional ``base``."""

    name: Name
    base: Name | None = None


class BatchFile(_Strict):
    """The file as a whole; each scenario is read on its own (:func:`read_batch`)."""

    name: str = ""
    defaults: Settings = Field(default_factory=Settings)
    scenarios: list[dict[str, Any]] = Field(min_length=1)


__all__ = [
    "NAME_PATTERN",
    "SCALED",
    "SUITES",
    "BatchFile",
    "Benchmark",
    "Generate",
    "Scale",
    "ScenarioEntry",
    "Settings",
]
