"""GAP benchmark data the engine does not need: the published solution files.

The instances, their names and best-known values are read by :mod:`solvers.gap.read`, from
the data folder ``shared/benchdata/gap`` beside the work tree; the checker of an assignment
is :func:`solvers.gap.instance.evaluate_assignment`. This module finds and reads the
best-known assignment each instance has under ``solutions/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from solvers.gap.instance import GapInstance, IntArray
from solvers.gap.read import (
    CHU_BEASLEY_SIZES,
    instance_source,
    read_tokens,
    resolve_data_dir,
    set_of,
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


def solution_path(name: str, data_dir: Path | None = None) -> Path:
    """Return the published solution file of an instance.

    Parameters
    ----------
    name
        Instance name.
    data_dir
        Data folder; :func:`solvers.gap.read.resolve_data_dir` by default.

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
    agents = np.asarray(read_tokens(path), dtype=np.int64)
    if instance is not None:
        if agents.size != instance.n:
            raise ValueError(
                f"{path.name}: {agents.size} agents, {instance.name} has n = {instance.n}."
            )
        if agents.size and (agents.min() < 0 or agents.max() >= instance.m):
            raise ValueError(f"{path.name}: agent index outside 0..{instance.m - 1}.")
    return agents


__all__ = [
    "KNOWN_WORSE_SOLUTIONS",
    "instance_of_solution_file",
    "read_solution",
    "solution_path",
]
