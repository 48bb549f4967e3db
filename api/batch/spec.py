"""The scenario file: what a batch runs, read from YAML or JSON.

A file holds ``scenarios`` (a list, each with a unique ``name``), optional ``defaults`` that
every scenario starts from, and an optional ``name`` of the study::

    name: subsidy study
    defaults: {time_limit: 10, workers: 1, method: auto}
    scenarios:
      - name: pilot
        round: ../examples/pilot          # a round file or folder, relative to this file
      - name: more-subsidy
        base: pilot                       # starts from pilot; the what-if view compares
        scale: {subsidy_pool: 1.2}
      - name: national-sample
        generate: {talents: 2000, packages: 500, seed: 3}
        policy: {fairness: hard, min_per_lender: 2}

A scenario's settings are those of :class:`Settings`. One that names a ``base`` starts from
the base's settings (its policy overrides and scale factors merged key by key), which start
from ``defaults``.

A key the file as a whole does not know (at the top or in ``defaults``) refuses the file
(:class:`BatchFileError`). A scenario with a bad key or value, no round, or a base that is
missing or invalid is an :class:`InvalidScenario`, whose message names the scenario and the
field; the other scenarios run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from api.cli_inputs import MAX_GENERATED, MAX_SEED, MAX_WORKERS
from matcher.errors import RoundError
from matcher.models import Policy
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


class BatchFileError(RoundError):
    """The scenario file cannot be used at all: unreadable, not a mapping, or a key that
    the file as a whole does not know. The message names the file and the field."""


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


@dataclass(frozen=True)
class Scenario:
    """A scenario with its settings resolved through its base and the defaults.

    ``round`` is an absolute path, or None with ``generate`` set; ``time_limit`` None leaves
    it to the pipeline's default for the round's size.
    """

    name: str
    base: str | None
    round: Path | None
    generate: Generate | None
    method: str
    time_limit: float | None
    workers: int
    seed: int
    gap: float
    policy: dict[str, Any]
    scale: dict[str, float]

    def settings(self) -> dict[str, Any]:
        """The settings as plain data (what the fingerprint and the what-if view compare)."""
        return {
            "round": None if self.round is None else str(self.round),
            "generate": None if self.generate is None else self.generate.model_dump(),
            "method": self.method,
            "time_limit": self.time_limit,
            "workers": self.workers,
            "seed": self.seed,
            "gap": self.gap,
            "policy": self.policy,
            "scale": self.scale,
        }

    def fingerprint(self) -> str:
        """A digest of the settings and of the round file's size and time: a finished
        scenario whose fingerprint changed since is run again on resume."""
        stamp: list[float] = []
        if self.round is not None and self.round.exists():
            files = [self.round] if self.round.is_file() else sorted(self.round.iterdir())
            stamp = [x for f in files for x in (f.stat().st_size, f.stat().st_mtime)]
        text = json.dumps([self.settings(), stamp], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class InvalidScenario:
    """A scenario that cannot run; ``message`` names it and the field."""

    name: str
    message: str


@dataclass(frozen=True)
class Batch:
    """A read scenario file: its scenarios in file order, valid or not."""

    path: Path
    name: str
    scenarios: tuple[Scenario | InvalidScenario, ...]

    def valid(self) -> list[Scenario]:
        return [s for s in self.scenarios if isinstance(s, Scenario)]

    def invalid(self) -> list[InvalidScenario]:
        return [s for s in self.scenarios if isinstance(s, InvalidScenario)]


def read_batch(path: Path) -> Batch:
    """Read and resolve the scenario file at ``path`` (``.yaml``, ``.yml`` or ``.json``).

    Raises
    ------
    BatchFileError
        If the file cannot be read or parsed, or has a key the file as a whole does not
        know (at the top or in ``defaults``), or no scenarios.
    """
    data = _parse(path)
    try:
        batch = BatchFile.model_validate(data)
    except ValidationError as exc:
        raise BatchFileError(f"{path}: {_first_error(exc)}") from None
    if batch.defaults.round is not None and batch.defaults.generate is not None:
        raise BatchFileError(
            f"{path}: field 'defaults.round': give 'round' or 'generate', not both"
        )
    entries: dict[str, ScenarioEntry] = {}
    order: list[str] = []
    results: dict[str, Scenario | InvalidScenario] = {}
    for i, raw in enumerate(batch.scenarios):
        name = _name_of(raw, i)
        order.append(name)
        if name in results or name in entries:
            # the second one is known by its place in the file: its name is the first's
            twice = f"{name} (scenarios[{i}])"
            results[twice] = InvalidScenario(
                twice, f"scenario '{name}' (scenarios[{i}]), field 'name': used twice"
            )
            order[-1] = twice
            continue
        try:
            entries[name] = ScenarioEntry.model_validate(raw)
        except ValidationError as exc:
            results[name] = InvalidScenario(name, f"scenario '{name}', {_first_error(exc)}")
    for name in order:
        if name not in results:
            results[name] = _resolve(name, entries, batch.defaults, path.parent, results, ())
    return Batch(path, batch.name, tuple(results[n] for n in order))


def _parse(path: Path) -> Any:
    if not path.is_file():
        raise BatchFileError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BatchFileError(f"{path}: cannot be read: {reason}") from None
    if not isinstance(data, dict):
        raise BatchFileError(f"{path}: expected a mapping with 'scenarios', found {_kind(data)}")
    return data


def _kind(data: Any) -> str:
    return "nothing" if data is None else f"a {type(data).__name__}"


def _name_of(raw: Any, i: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"].strip():
        return str(raw["name"]).strip()
    return f"scenarios[{i}]"


def _first_error(exc: ValidationError) -> str:
    """The first error of ``exc`` as "field 'a.b': message"."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    if error["type"] == "missing":
        message = "missing"
    return f"field '{where}': {message}" if where else message


def _resolve(
    name: str,
    entries: dict[str, ScenarioEntry],
    defaults: Settings,
    folder: Path,
    results: dict[str, Scenario | InvalidScenario],
    seen: tuple[str, ...],
) -> Scenario | InvalidScenario:
    """The scenario ``name`` with its settings merged over its base's and the defaults."""
    if name in results:
        return results[name]
    entry = entries[name]
    where = f"scenario '{name}'"
    inherited = defaults
    if entry.base is not None:
        if entry.base in seen or entry.base == name:
            return InvalidScenario(name, f"{where}, field 'base': a cycle of bases")
        if entry.base not in entries and entry.base not in results:
            return InvalidScenario(name, f"{where}, field 'base': no scenario '{entry.base}'")
        base = _resolve(entry.base, entries, defaults, folder, results, (*seen, name))
        results[entry.base] = base
        if isinstance(base, InvalidScenario):
            return InvalidScenario(
                name, f"{where}, field 'base': scenario '{entry.base}' is invalid"
            )
        inherited = _entry_of(base)
    if entry.round is not None and entry.generate is not None:
        return InvalidScenario(
            name, f"{where}, field 'round': give 'round' or 'generate', not both"
        )
    merged = _merge(inherited, entry)
    if merged.round is None and merged.generate is None:
        return InvalidScenario(
            name, f"{where}, field 'round': missing; give 'round' (a file) or 'generate'"
        )
    round_path = None if merged.round is None else (folder / merged.round).resolve()
    return Scenario(
        name=name,
        base=entry.base,
        round=round_path,
        generate=merged.generate,
        method=merged.method or "auto",
        time_limit=merged.time_limit,
        workers=merged.workers or 1,
        seed=merged.seed or 0,
        gap=merged.gap or 0.0,
        policy=dict(merged.policy),
        scale={k: v for k, v in merged.scale.model_dump().items() if v is not None},
    )


def _entry_of(scenario: Scenario) -> Settings:
    return Settings(
        round=None if scenario.round is None else str(scenario.round),
        generate=scenario.generate,
        method=scenario.method,
        time_limit=scenario.time_limit,
        workers=scenario.workers,
        seed=scenario.seed,
        gap=scenario.gap,
        policy=scenario.policy,
        scale=Scale(**scenario.scale),
    )


def _merge(inherited: Settings, own: Settings) -> Settings:
    """``own`` over ``inherited``: set fields win, policy and scale merge key by key, and a
    scenario's own round or generated round replaces the other kind."""
    values = inherited.model_dump(exclude={"policy", "scale"}, exclude_none=True)
    values.update(own.model_dump(include=set(own.model_fields_set) - {"policy", "scale"}))
    values = {k: v for k, v in values.items() if k in Settings.model_fields}
    if own.round is not None:
        values["generate"] = None
    if own.generate is not None:
        values["round"] = None
    policy = inherited.policy | own.policy
    scale = inherited.scale.model_dump(exclude_none=True) | own.scale.model_dump(exclude_none=True)
    return Settings(**values, policy=policy, scale=Scale(**scale))


__all__ = [
    "SCALED",
    "Batch",
    "BatchFile",
    "BatchFileError",
    "Generate",
    "InvalidScenario",
    "Scale",
    "Scenario",
    "Settings",
    "read_batch",
]
