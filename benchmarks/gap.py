"""Generalized Assignment Problem (GAP) benchmark data: readers, best-known values, a checker.

The data lives outside the repository, in ``shared/benchdata/gap`` beside the work tree (see
:func:`resolve_data_dir`); nothing here is copied into the project.

Every instance is read from one canonical source:

- ``gapK-p`` (K = 1..12, p = 1..5) from problem p of ``raw/orlib/gapK.txt`` (OR-Library);
- every type A-D instance (``a05100`` .. ``d801600``) from its single-instance file
  ``raw/yagiura/<name>``. That folder is the only source of the large C and D instances, so
  taking all of A-D from it gives one source per type; ``raw/orlib/gapa.txt`` .. ``gapd.txt``
  hold the same 24 small instances and are read only to cross-check the two copies.

Both formats are whitespace-separated integers read as one flat token stream (line breaks
carry no meaning): ``m n``, costs ``c[i][j]`` (agent-major), resources ``r[i][j]``,
capacities ``b[i]``. OR-Library files start with the number of problems they hold.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

DATA_ENV = "COSOURCE_GAP_DATA"
"""Environment variable that overrides the default data folder."""

SETS: tuple[str, ...] = (*(f"gap{k}" for k in range(1, 13)), "a", "b", "c", "d")
"""Instance sets: the twelve OR-Library files of Osman / Cattrysse et al., then types A-D."""

# Chu & Beasley's instances, in the order gapa.txt .. gapd.txt hold them.
CHU_BEASLEY_SIZES: tuple[str, ...] = ("05100", "05200", "10100", "10200", "20100", "20200")
# Yagiura et al.'s larger instances (types C and D only), by number of jobs, then agents.
YAGIURA_SIZES: tuple[str, ...] = (
    *("10400", "20400", "40400"),
    *("15900", "30900", "60900"),
    *("201600", "401600", "801600"),
)

KNOWN_WORSE_SOLUTIONS: frozenset[str] = frozenset(
    {
        "d10200",
        "d20100",
        "c801600",
        "d10400",
        "d15900",
        "d201600",
        "d30900",
        "d401600",
        "d40400",
    }
)
"""Instances whose published solution file scores a little worse than ``best_known`` (min).

The data's README lists these nine: their best-known values come from value tables, the
solution files from a solver run that did not reach them.
"""

_ORLIB_NAME = re.compile(r"^gap(\d+)-(\d+)$")
_TYPED_NAME = re.compile(r"^([abcd])(\d{2})(\d{3,4})$")


class Sense(StrEnum):
    """Objective sense."""

    MIN = "min"
    MAX = "max"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the GAP data folder.

    Parameters
    ----------
    explicit
        A folder given on the command line; wins over everything else.

    Returns
    -------
    Path
        ``explicit`` if given, else ``$COSOURCE_GAP_DATA`` if set, else
        ``shared/benchdata/gap`` beside the repository. The folder may not exist: callers
        that read from it raise ``FileNotFoundError``, tests skip.
    """
    if explicit is not None:
        return Path(explicit)
    from_env = os.environ.get(DATA_ENV)
    if from_env:
        return Path(from_env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "benchdata" / "gap"


@dataclass(frozen=True, eq=False)
class GapInstance:
    """One GAP instance: assign each of ``n`` jobs to one of ``m`` agents.

    Attributes
    ----------
    name
        Instance name, such as ``gap1-1`` or ``c10400``.
    m
        Number of agents.
    n
        Number of jobs.
    cost
        ``(m, n)`` cost of giving job j to agent i.
    resource
        ``(m, n)`` capacity that job j uses at agent i.
    capacity
        ``(m,)`` capacity of each agent.

    The arrays are stored as read-only ``int64`` copies, so an instance cannot change after
    it is built.
    """

    name: str
    m: int
    n: int
    cost: IntArray
    resource: IntArray
    capacity: IntArray

    def __post_init__(self) -> None:
        if self.m < 1 or self.n < 1:
            raise ValueError(f"{self.name}: m = {self.m}, n = {self.n}; both must be >= 1.")
        for field_name, shape in (
            ("cost", (self.m, self.n)),
            ("resource", (self.m, self.n)),
            ("capacity", (self.m,)),
        ):
            value = np.asarray(getattr(self, field_name))
            if value.shape != shape:
                raise ValueError(f"{self.name}: {field_name} has shape {value.shape}, not {shape}.")
            if not np.issubdtype(value.dtype, np.integer):
                raise ValueError(f"{self.name}: {field_name} must hold integers.")
            frozen = np.array(value, dtype=np.int64, copy=True)
            frozen.setflags(write=False)
            object.__setattr__(self, field_name, frozen)
        if (self.resource < 0).any():
            raise ValueError(f"{self.name}: negative resource use.")
        if (self.capacity < 0).any():
            raise ValueError(f"{self.name}: negative capacity.")


Reader = Callable[[Path], tuple[GapInstance, ...]]


def _read_tokens(path: Path) -> list[int]:
    tokens = path.read_text().split()
    try:
        return [int(token) for token in tokens]
    except ValueError:
        bad = next(k for k, token in enumerate(tokens) if not _is_int(token))
        raise ValueError(f"{path.name}: token {bad} ({tokens[bad]!r}) is not an integer.") from None


def _is_int(token: str) -> bool:
    try:
        int(token)
    except ValueError:
        return False
    return True


def _parse_block(tokens: list[int], start: int, name: str, where: str) -> tuple[GapInstance, int]:
    """Parse ``m n c r b`` at ``tokens[start:]``; return the instance and the next position."""
    if start + 2 > len(tokens):
        raise ValueError(f"{where}: ends before 'm n' ({len(tokens) - start} tokens left).")
    m, n = tokens[start], tokens[start + 1]
    if m < 1 or n < 1:
        raise ValueError(f"{where}: m = {m}, n = {n} not understood.")
    needed = 2 * m * n + m
    body = tokens[start + 2 : start + 2 + needed]
    if len(body) < needed:
        raise ValueError(
            f"{where}: expected {needed} tokens after 'm n' = '{m} {n}' (2mn + m), "
            f"found {len(body)}."
        )
    data = np.asarray(body, dtype=np.int64)
    instance = GapInstance(
        name=name,
        m=m,
        n=n,
        cost=data[: m * n].reshape(m, n),
        resource=data[m * n : 2 * m * n].reshape(m, n),
        capacity=data[2 * m * n :],
    )
    return instance, start + 2 + needed


def _check_name_size(instance: GapInstance, where: str) -> None:
    """Type A-D names carry the size (``d201600``: m = 20, n = 1600); hold the file to it."""
    match = _TYPED_NAME.match(instance.name)
    if match and (int(match[2]), int(match[3])) != (instance.m, instance.n):
        raise ValueError(
            f"{where}: m n = {instance.m} {instance.n}, but the name {instance.name} "
            f"says {int(match[2])} {int(match[3])}."
        )


def read_orlib_file(path: Path) -> tuple[GapInstance, ...]:
    """Read an OR-Library multi-problem file.

    Parameters
    ----------
    path
        ``gapK.txt`` (problems named ``gapK-1`` .. ``gapK-P``) or ``gapa.txt`` ..
        ``gapd.txt`` (problems named ``a05100``, ``a05200``, ``a10100``, ``a10200``,
        ``a20100``, ``a20200`` for ``gapa.txt``). Any other file name gives ``<stem>-p``.

    Returns
    -------
    tuple of GapInstance
        The problems in file order.

    Raises
    ------
    ValueError
        If the token count does not match the sizes, naming the file and the problem.
    """
    tokens = _read_tokens(path)
    if not tokens:
        raise ValueError(f"{path.name}: empty file.")
    count = tokens[0]
    if count < 1:
        raise ValueError(f"{path.name}: problem count {count} not understood.")
    typed = re.fullmatch(r"gap([abcd])", path.stem)
    if typed and count > len(CHU_BEASLEY_SIZES):
        raise ValueError(f"{path.name}: {count} problems, expected {len(CHU_BEASLEY_SIZES)}.")
    instances = []
    position = 1
    for p in range(1, count + 1):
        name = f"{typed[1]}{CHU_BEASLEY_SIZES[p - 1]}" if typed else f"{path.stem}-{p}"
        where = f"{path.name}, problem {p} of {count} ({name})"
        instance, position = _parse_block(tokens, position, name, where)
        _check_name_size(instance, where)
        instances.append(instance)
    if position != len(tokens):
        raise ValueError(
            f"{path.name}: {len(tokens) - position} tokens left over after {count} problems."
        )
    return tuple(instances)


def read_yagiura_file(path: Path) -> tuple[GapInstance, ...]:
    """Read a single-instance file (one ``m n c r b`` block, no problem count).

    Parameters
    ----------
    path
        File named after its instance, such as ``raw/yagiura/c10400``.

    Returns
    -------
    tuple of GapInstance
        One instance named ``path.name``; a tuple so that every reader has one signature.

    Raises
    ------
    ValueError
        If the token count is not ``2 + 2mn + m`` or the size disagrees with the name.
    """
    tokens = _read_tokens(path)
    where = f"{path.name}, problem 1 of 1 ({path.name})"
    instance, position = _parse_block(tokens, 0, path.name, where)
    if position != len(tokens):
        raise ValueError(f"{where}: {len(tokens) - position} tokens left over.")
    _check_name_size(instance, where)
    return (instance,)


READERS: Mapping[str, Reader] = MappingProxyType(
    {"orlib": read_orlib_file, "yagiura": read_yagiura_file}
)
"""File format name -> reader; each reader returns the instances of one file in order."""


def instance_names(set_name: str) -> tuple[str, ...]:
    """Instance names of one set.

    Parameters
    ----------
    set_name
        One of :data:`SETS`: ``gap1`` .. ``gap12``, ``a``, ``b``, ``c``, ``d``.

    Returns
    -------
    tuple of str
        ``gapK-1`` .. ``gapK-5``; or for a type, the six Chu-Beasley sizes, followed for C and
        D by the nine larger sizes of Yagiura et al.
    """
    if set_name not in SETS:
        raise ValueError(f"set {set_name!r} not understood; expected one of {', '.join(SETS)}.")
    if set_name.startswith("gap"):
        return tuple(f"{set_name}-{p}" for p in range(1, 6))
    sizes = CHU_BEASLEY_SIZES + (YAGIURA_SIZES if set_name in ("c", "d") else ())
    return tuple(f"{set_name}{size}" for size in sizes)


def all_instance_names() -> tuple[str, ...]:
    """Every instance name, set by set in :data:`SETS` order."""
    return tuple(name for set_name in SETS for name in instance_names(set_name))


class InstanceSource(NamedTuple):
    """Where an instance is read from: reader, path under the data folder, position in file."""

    reader: str
    path: str
    position: int


def instance_source(name: str) -> InstanceSource:
    """Return the canonical file of an instance (see the module docstring).

    Parameters
    ----------
    name
        An instance name such as ``gap3-2`` or ``d201600``.

    Returns
    -------
    InstanceSource
        The reader to use, the file relative to the data folder, and the instance's
        position among the reader's results.
    """
    match = _ORLIB_NAME.match(name)
    if match and 1 <= int(match[1]) <= 12 and 1 <= int(match[2]) <= 5:
        return InstanceSource("orlib", f"raw/orlib/gap{match[1]}.txt", int(match[2]) - 1)
    if _TYPED_NAME.match(name) and name in instance_names(name[0]):
        return InstanceSource("yagiura", f"raw/yagiura/{name}", 0)
    raise ValueError(f"instance {name!r} not understood.")


def set_of(name: str) -> str:
    """The set an instance belongs to (``gap3-2`` -> ``gap3``, ``d201600`` -> ``d``)."""
    instance_source(name)
    return name.split("-")[0] if name.startswith("gap") else name[0]


def load_instance(name: str, data_dir: Path | None = None) -> GapInstance:
    """Read one instance from its canonical file.

    Parameters
    ----------
    name
        Instance name.
    data_dir
        Data folder; :func:`resolve_data_dir` by default.

    Returns
    -------
    GapInstance
    """
    source = instance_source(name)
    path = resolve_data_dir(data_dir) / source.path
    if not path.is_file():
        raise FileNotFoundError(f"{name}: {path} not found (set {DATA_ENV} or --data).")
    instance = READERS[source.reader](path)[source.position]
    if instance.name != name:
        problem = source.position + 1
        raise ValueError(f"{path.name}: problem {problem} is {instance.name}, not {name}.")
    return instance


@dataclass(frozen=True)
class BestKnown:
    """One row of ``best_known.csv``.

    Attributes
    ----------
    instance
        Instance name.
    sense
        Objective sense the value is for.
    m, n
        Agents and jobs, as the table states them.
    best_known
        Best known objective value.
    proven_optimal
        Whether ``best_known`` is proven optimal.
    source
        Where the value comes from.
    """

    instance: str
    sense: Sense
    m: int
    n: int
    best_known: int
    proven_optimal: bool
    source: str


BEST_KNOWN_COLUMNS = ("instance", "sense", "m", "n", "best_known", "proven_optimal", "source")


def read_best_known(data_dir: Path | None = None) -> dict[tuple[str, Sense], BestKnown]:
    """Read ``best_known.csv``.

    Parameters
    ----------
    data_dir
        Data folder; :func:`resolve_data_dir` by default.

    Returns
    -------
    dict
        ``(instance, sense) -> BestKnown``.

    Raises
    ------
    ValueError
        On a header other than :data:`BEST_KNOWN_COLUMNS`, a malformed field or a duplicate
        row, naming the line.
    """
    path = resolve_data_dir(data_dir) / "best_known.csv"
    records: dict[tuple[str, Sense], BestKnown] = {}
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader, ()))
        if header != BEST_KNOWN_COLUMNS:
            raise ValueError(f"{path.name}: header {header} is not {BEST_KNOWN_COLUMNS}.")
        for row in reader:
            where = f"{path.name} line {reader.line_num}"
            if len(row) != len(BEST_KNOWN_COLUMNS):
                raise ValueError(f"{where}: {len(row)} fields, expected {len(BEST_KNOWN_COLUMNS)}.")
            instance, sense, m, n, best, proven, source = row
            if proven not in ("true", "false"):
                raise ValueError(f"{where}: proven_optimal {proven!r} is not true or false.")
            try:
                record = BestKnown(
                    instance, Sense(sense), int(m), int(n), int(best), proven == "true", source
                )
            except ValueError as error:
                raise ValueError(f"{where}: {error}") from None
            key = (record.instance, record.sense)
            if key in records:
                raise ValueError(f"{where}: second row for {instance} ({sense}).")
            records[key] = record
    return records


def solution_path(name: str, data_dir: Path | None = None) -> Path:
    """Return the published solution file of an instance.

    Parameters
    ----------
    name
        Instance name.
    data_dir
        Data folder; :func:`resolve_data_dir` by default.

    Returns
    -------
    Path
        ``solutions/cattrysse1994/gapK-<p-1>_solution.txt`` for ``gapK-p`` (those files count
        problems from 0, the instance names from 1), ``solutions/chu1997/<name>_solution.txt``
        for the Chu-Beasley sizes, ``solutions/yagiura2004/<name>_solution.txt`` otherwise.
    """
    source = instance_source(name)
    solutions = resolve_data_dir(data_dir) / "solutions"
    if source.reader == "orlib":
        return solutions / "cattrysse1994" / f"{set_of(name)}-{source.position}_solution.txt"
    folder = "chu1997" if name[1:] in CHU_BEASLEY_SIZES else "yagiura2004"
    return solutions / folder / f"{name}_solution.txt"


def instance_of_solution_file(path: Path) -> str:
    """Inverse of :func:`solution_path`: the instance a solution file belongs to.

    Raises
    ------
    ValueError
        If the file name or its folder fits no instance.
    """
    stem = path.name.removesuffix("_solution.txt")
    match = _ORLIB_NAME.match(stem)
    name = f"gap{match[1]}-{int(match[2]) + 1}" if match else stem
    try:
        expected = solution_path(name, Path())
    except ValueError:
        raise ValueError(f"{path}: no instance has this solution file name.") from None
    if path.parts[-2:] != expected.parts[-2:]:
        raise ValueError(f"{path}: the solution of {name} belongs in {expected.parent.name}/.")
    return name


def read_solution(path: Path, instance: GapInstance | None = None) -> IntArray:
    """Read a solution file: the agent (0-based) of each job 0..n-1, as a flat token stream.

    Parameters
    ----------
    path
        The solution file.
    instance
        If given, the solution must have ``instance.n`` entries in ``[0, instance.m)``.

    Returns
    -------
    ndarray of int64
        Agent index per job.
    """
    agents = np.asarray(_read_tokens(path), dtype=np.int64)
    if instance is not None:
        if agents.size != instance.n:
            raise ValueError(
                f"{path.name}: {agents.size} agents, {instance.name} has n = {instance.n}."
            )
        if agents.size and (agents.min() < 0 or agents.max() >= instance.m):
            raise ValueError(f"{path.name}: agent index outside 0..{instance.m - 1}.")
    return agents


class Evaluation(NamedTuple):
    """Independent score of an assignment.

    Attributes
    ----------
    cost
        Sum of the chosen costs.
    feasible
        Whether every agent stays within its capacity.
    overload
        Per agent, ``max(0, load - capacity)``.
    """

    cost: int
    feasible: bool
    overload: IntArray


def evaluate_assignment(instance: GapInstance, agents: npt.ArrayLike) -> Evaluation:
    """Score an assignment, trusting nothing the solver said about it.

    Parameters
    ----------
    instance
        The instance.
    agents
        Agent index (0-based) of each job 0..n-1.

    Returns
    -------
    Evaluation
        ``(cost, feasible, overload per agent)``.

    Raises
    ------
    ValueError
        If ``agents`` is not ``n`` integers in ``[0, m)``: such an assignment has no cost.
    """
    chosen = np.asarray(agents)
    if chosen.shape != (instance.n,):
        raise ValueError(
            f"{instance.name}: assignment has shape {chosen.shape}, not ({instance.n},)."
        )
    if not np.issubdtype(chosen.dtype, np.integer):
        raise ValueError(f"{instance.name}: assignment must hold integer agent indices.")
    chosen = chosen.astype(np.int64)
    if (chosen < 0).any() or (chosen >= instance.m).any():
        raise ValueError(f"{instance.name}: agent index outside 0..{instance.m - 1}.")
    jobs = np.arange(instance.n)
    cost = int(instance.cost[chosen, jobs].sum())
    load = np.zeros(instance.m, dtype=np.int64)
    np.add.at(load, chosen, instance.resource[chosen, jobs])
    overload = np.maximum(load - instance.capacity, 0)
    return Evaluation(cost, not bool(overload.any()), overload)


def gap_percent(value: float, best_known: float, sense: Sense) -> float:
    """Percent by which ``value`` is worse than ``best_known`` (negative if better).

    ``(value - best) / best`` when minimising, ``(best - value) / best`` when maximising.
    """
    if best_known <= 0:
        raise ValueError("best_known <= 0 not understood.")
    worse_by = value - best_known if sense is Sense.MIN else best_known - value
    return 100.0 * worse_by / best_known
