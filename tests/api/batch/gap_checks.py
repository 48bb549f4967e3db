"""The batch tests' own check of a benchmark scenario's outcome: the OR-Library file and the
best-known table read here, with nothing of the project's readers, checker or engine, and the
assignment of ``benchmark.json`` scored against them."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any


def raw_gap(data_dir: Path, name: str) -> tuple[list[list[int]], list[list[int]], list[int]]:
    """Costs ``c[i][j]``, resources ``r[i][j]`` and capacities ``b[i]`` of OR-Library
    problem ``gapK-p``: problem p of ``raw/orlib/gapK.txt``, a flat stream of integers
    (the count of problems, then per problem ``m n``, c, r and b)."""
    match = re.fullmatch(r"gap(\d+)-(\d+)", name)
    assert match, f"{name}: only OR-Library names are read here"
    tokens = [
        int(t) for t in (data_dir / "raw" / "orlib" / f"gap{match[1]}.txt").read_text().split()
    ]
    position = 1
    for _ in range(int(match[2]) - 1):
        m, n = tokens[position], tokens[position + 1]
        position += 2 + 2 * m * n + m
    m, n = tokens[position], tokens[position + 1]
    body = tokens[position + 2 : position + 2 + 2 * m * n + m]
    cost = [body[i * n : (i + 1) * n] for i in range(m)]
    resource = [body[m * n + i * n : m * n + (i + 1) * n] for i in range(m)]
    return cost, resource, body[2 * m * n :]


def best_known_value(data_dir: Path, name: str, sense: str) -> int:
    """The best-known value of ``best_known.csv``'s row for ``name`` and ``sense``."""
    with (data_dir / "best_known.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if (row["instance"], row["sense"]) == (name, sense):
                return int(row["best_known"])
    raise AssertionError(f"{name} ({sense}) is not in best_known.csv")


def check_benchmark_row(out: Path, data_dir: Path, row: dict[str, Any]) -> int:
    """Score the scenario's assignment (``benchmark.json``) on the raw instance: every job at
    one agent, no agent over its capacity, and the row's objective, best-known value and gap
    to it as computed here. Returns the objective."""
    name, sense = str(row["instance"]), str(row["sense"])
    cost, resource, capacity = raw_gap(data_dir, name)
    m, n = len(capacity), len(cost[0])
    document = json.loads((out / "scenarios" / str(row["scenario"]) / "benchmark.json").read_text())
    agents = document["agents"]
    assert len(agents) == n and all(0 <= a < m for a in agents)
    load = [0] * m
    for job, agent in enumerate(agents):
        load[agent] += resource[agent][job]
    assert all(load[i] <= capacity[i] for i in range(m)), (name, load, capacity)
    objective = sum(cost[agent][job] for job, agent in enumerate(agents))
    best = best_known_value(data_dir, name, sense)
    assert row["objective"] == document["objective"] == objective
    assert row["best_known"] == best
    worse_by = objective - best if sense == "min" else best - objective
    assert math.isclose(row["gap_to_best_pct"], 100 * worse_by / best, abs_tol=1e-3)
    # a best-known value is at least as good as any assignment only when it is optimal:
    # the smallest instances' are (best_known.csv: proven_optimal)
    assert worse_by >= 0
    assert bool(row["feasible"]) is True
    return objective
