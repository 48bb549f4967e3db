"""GAP benchmark data: the instance files, their names, and the best-known values.

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
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from solvers.gap.instance import GapInstance, Sense

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

_ORLIB_NAME = re.compile(r"^gap(\d+)-(\d+)$")
_TYPED_NAME = re.compile(r"^([abcd])(\d{2})(\d{3,4})$")


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
    return Path(__file__).resolve().parents[2].parent / "shared" / "benchdata" / "gap"


Reader = Callable[[Path], tuple[GapInstance, ...]]


def read_tokens(path: Path) -> list[int]:
    """The integers of ``path`` as one flat stream; a token that is no integer is named."""
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
    tokens = read_tokens(path)
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
    tokens = read_tokens(path)
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


__all__ = [
    "BEST_KNOWN_COLUMNS",
    "CHU_BEASLEY_SIZES",
    "DATA_ENV",
    "READERS",
    "SETS",
    "YAGIURA_SIZES",
    "BestKnown",
    "InstanceSource",
    "Reader",
    "all_instance_names",
    "instance_names",
    "instance_source",
    "load_instance",
    "read_best_known",
    "read_orlib_file",
    "read_tokens",
    "read_yagiura_file",
    "resolve_data_dir",
    "set_of",
]
