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
      - name: gap-c05100
        benchmark: {suite: gap, instance: c05100}   # a public instance instead of a round
        method: cpsat

A scenario's settings are those of :class:`~api.batch.settings.Settings`. One that names a
``base`` starts from the base's settings (its policy overrides and scale factors merged key
by key), which start from ``defaults``.

A benchmark scenario (:class:`~api.batch.settings.Benchmark`: ``suite``, ``instance`` as the
suite's best-known table names it, ``sense`` ``min`` by default) solves that instance with
its method, time limit, workers, seed and gap (:mod:`api.batch.benchmark`); the methods that
apply are ``auto``, ``cpsat``, ``highs`` and ``greedy``. It gives no ``round``, ``generate``,
``policy`` or ``scale`` (those of ``defaults`` do not apply to it), ``defaults`` names no
benchmark, and its base, if any, is a benchmark scenario, as a round scenario's base is a
round scenario. Its suite's data folder must be there and hold the instance.

A key the file as a whole does not know (at the top or in ``defaults``) refuses the file
(:class:`BatchFileError`). A scenario with a bad key or value, no round, or a base that is
missing or invalid is an :class:`InvalidScenario`, whose message names the scenario and the
field; so is a benchmark scenario of an unknown suite or instance, of a suite whose data
folder is missing, or that also gives a round, a policy or a scale. The other scenarios run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from api.batch.benchmark import BenchmarkCatalog, benchmark_method_problem
from api.batch.settings import BatchFile, Benchmark, Generate, Scale, ScenarioEntry, Settings
from matcher.errors import RoundError
from solvers.gap.read import instance_source, resolve_data_dir


class BatchFileError(RoundError):
    """The scenario file cannot be used at all: unreadable, not a mapping, or a key that
    the file as a whole does not know. The message names the file and the field."""


@dataclass(frozen=True)
class Scenario:
    """A scenario with its settings resolved through its base and the defaults.

    ``round`` is an absolute path, or None with ``generate`` or ``benchmark`` set (a
    benchmark scenario has no round, policy or scale); ``time_limit`` None leaves it to the
    pipeline's default for the round's size.
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
    benchmark: Benchmark | None = None

    def settings(self) -> dict[str, Any]:
        """The settings as plain data (what the fingerprint and the what-if view compare);
        ``benchmark`` only for a benchmark scenario, so that a round scenario's fingerprint
        is what it was before benchmark scenarios were known."""
        settings = {
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
        if self.benchmark is not None:
            settings["benchmark"] = self.benchmark.model_dump()
        return settings

    def fingerprint(self) -> str:
        """A digest of the settings and of the round file's (or the benchmark instance's
        file's) size and time: a finished scenario whose fingerprint changed since is run
        again on resume."""
        stamp: list[float] = []
        files: list[Path] = []
        if self.round is not None and self.round.exists():
            files = [self.round] if self.round.is_file() else sorted(self.round.iterdir())
        if self.benchmark is not None:
            folder = resolve_data_dir()
            source = instance_source(self.benchmark.instance)
            files = [f for f in (folder / source.path, folder / "best_known.csv") if f.exists()]
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
        know (at the top or in ``defaults``), or no scenarios, or ``defaults`` names a
        benchmark (each benchmark scenario names its own).
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
    if batch.defaults.benchmark is not None:
        raise BatchFileError(
            f"{path}: field 'defaults.benchmark': each benchmark scenario names its instance"
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
    catalog = BenchmarkCatalog()
    for name in order:
        if name not in results:
            results[name] = _resolve(
                name, entries, batch.defaults, path.parent, results, (), catalog
            )
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
    catalog: BenchmarkCatalog,
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
        base = _resolve(entry.base, entries, defaults, folder, results, (*seen, name), catalog)
        results[entry.base] = base
        if isinstance(base, InvalidScenario):
            return InvalidScenario(
                name, f"{where}, field 'base': scenario '{entry.base}' is invalid"
            )
        mixed = _mixed_kinds(entry, base)
        if mixed:
            return InvalidScenario(name, f"{where}, field 'base': {mixed}")
        inherited = _entry_of(base)
    if entry.round is not None and entry.generate is not None:
        return InvalidScenario(
            name, f"{where}, field 'round': give 'round' or 'generate', not both"
        )
    merged = _merge(inherited, entry)
    if merged.benchmark is not None:
        return _benchmark_scenario(name, entry, merged, catalog)
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
        benchmark=scenario.benchmark,
    )


def _mixed_kinds(entry: ScenarioEntry, base: Scenario) -> str | None:
    """Why ``entry`` cannot start from ``base``: a round scenario's base is a round
    scenario, a benchmark scenario's a benchmark scenario (the what-if view compares KPIs of
    the same kind); None when it can."""
    own_round = entry.round is not None or entry.generate is not None
    if base.benchmark is not None and own_round:
        return (
            f"scenario '{base.name}' is a benchmark scenario; a round scenario's base must "
            "be a round scenario"
        )
    if base.benchmark is None and entry.benchmark is not None:
        return (
            f"scenario '{base.name}' is a round scenario; a benchmark scenario's base must "
            "be a benchmark scenario"
        )
    return None


NOT_FOR_BENCHMARKS = {
    "round": "a benchmark scenario solves its instance; give 'benchmark' or 'round', not both",
    "generate": "a benchmark scenario solves its instance; give 'benchmark' or 'generate', "
    "not both",
    "policy": "a benchmark instance has no policy to change",
    "scale": "a benchmark instance has no budgets to scale",
}
"""The keys a benchmark scenario may not give, and why."""


def _benchmark_scenario(
    name: str, entry: ScenarioEntry, merged: Settings, catalog: BenchmarkCatalog
) -> Scenario | InvalidScenario:
    """The benchmark scenario ``name``, checked: no round keys of its own, a method that
    solves an instance, and an instance its suite's data holds."""
    assert merged.benchmark is not None
    where = f"scenario '{name}'"
    given = {
        "round": entry.round is not None,
        "generate": entry.generate is not None,
        "policy": bool(entry.policy),
        "scale": entry.scale != Scale(),
    }
    for key, why in NOT_FOR_BENCHMARKS.items():
        if given[key]:
            return InvalidScenario(name, f"{where}, field '{key}': {why}")
    method = merged.method or "auto"
    problem = benchmark_method_problem(method) or catalog.problem(merged.benchmark)
    if problem is not None:
        return InvalidScenario(name, f"{where}, {problem}")
    # the defaults' round, policy and scale are for round scenarios
    return Scenario(
        name=name,
        base=entry.base,
        round=None,
        generate=None,
        method=method,
        time_limit=merged.time_limit,
        workers=merged.workers or 1,
        seed=merged.seed or 0,
        gap=merged.gap or 0.0,
        policy={},
        scale={},
        benchmark=merged.benchmark,
    )


def _merge(inherited: Settings, own: Settings) -> Settings:
    """``own`` over ``inherited``: set fields win, policy and scale merge key by key, and a
    scenario's own round, generated round or benchmark replaces the other kinds."""
    values = inherited.model_dump(exclude={"policy", "scale"}, exclude_none=True)
    values.update(own.model_dump(include=set(own.model_fields_set) - {"policy", "scale"}))
    values = {k: v for k, v in values.items() if k in Settings.model_fields}
    if own.round is not None:
        values["generate"] = None
    if own.generate is not None:
        values["round"] = None
    if own.benchmark is not None:
        values["round"] = values["generate"] = None
    policy = inherited.policy | own.policy
    scale = inherited.scale.model_dump(exclude_none=True) | own.scale.model_dump(exclude_none=True)
    return Settings(**values, policy=policy, scale=Scale(**scale))


__all__ = [
    "NOT_FOR_BENCHMARKS",
    "Batch",
    "BatchFileError",
    "InvalidScenario",
    "Scenario",
    "read_batch",
]
