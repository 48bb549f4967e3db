"""The comparison table: one row per scenario, written as ``comparison.csv``.

A row holds how the scenario's run went (status, attempts, wall time, error), the solve's
numbers (placements, score, objective, bound, gap) and the evaluator's KPIs. A benchmark
scenario's row (:mod:`api.batch.benchmark`) has the instance (suite, instance, sense), its
objective as the GAP checker computes it, the bound and gap in the same units, the best-known
value and the gap to it in per cent, and the checker's verdict; the round's KPIs stay empty,
as the benchmark columns do in a round scenario's row. A scenario that did not run (bad
input, or failed twice) has its status (``invalid``, ``error``) and the message in
``error``, and empty numbers.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

INVALID = "invalid"
"""The status of a scenario whose input is bad: its message names the field."""
ERROR = "error"
"""The status of a scenario whose task failed twice."""

COLUMNS = (
    "scenario",
    "base",
    "status",
    "method",
    "solver",
    "attempts",
    "talents",
    "packages",
    "suite",
    "instance",
    "sense",
    "time_limit",
    "placements",
    "score",
    "objective",
    "bound",
    "gap",
    "best_known",
    "gap_to_best_pct",
    "feasible",
    "violations",
    "placed_talents",
    "placement_rate",
    "seat_fill_rate",
    "learning_share",
    "strengths_share",
    "cross_sector_share",
    "lender_rate_min",
    "lender_rate_max",
    "mean_score",
    "host_fees",
    "subsidy",
    "topups",
    "blocking_pairs",
    "compile_seconds",
    "solve_seconds",
    "wall_seconds",
    "error",
)
"""The table's columns, in order. ``score`` and ``objective`` are in the integer units of
``result.json`` (1/1000 of a score point; a benchmark instance's own units for a benchmark
scenario), ``bound`` bounds ``objective``, ``gap`` is relative; ``gap_to_best_pct`` is the
per cent by which ``objective`` is worse than ``best_known`` (negative if better); the shares
are in [0, 1]; money is per month; ``wall_seconds`` is the task's whole run (building the
round, solving, checking, writing the files' contents)."""

KPI_COLUMNS = (
    "placements",
    "placement_rate",
    "seat_fill_rate",
    "learning_share",
    "strengths_share",
    "cross_sector_share",
    "lender_rate_min",
    "mean_score",
    "host_fees",
    "subsidy",
    "topups",
    "blocking_pairs",
)
"""The KPIs the report plots per scenario and the what-if view compares."""


def failed_row(scenario: str, base: str | None, status: str, message: str) -> dict[str, Any]:
    """The row of a scenario that did not run: ``status`` and why."""
    return {"scenario": scenario, "base": base, "status": status, "error": message}


def table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as a frame with every column of :data:`COLUMNS`, in order."""
    return pd.DataFrame(rows, columns=list(COLUMNS))


def table_csv(rows: list[dict[str, Any]]) -> str:
    """The comparison table as CSV text."""
    buffer = io.StringIO()
    table(rows).to_csv(buffer, index=False)
    return buffer.getvalue()


def write_table(rows: list[dict[str, Any]], path: Path) -> None:
    """Write ``comparison.csv``, whole or not at all."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(table_csv(rows))
    partial.replace(path)


def solved(row: dict[str, Any]) -> bool:
    """Whether the row's scenario has an assignment the evaluator (a benchmark's: the GAP
    checker) judged."""
    return row.get("status") not in (INVALID, ERROR) and row.get("feasible") is not None


def is_benchmark(row: dict[str, Any]) -> bool:
    """Whether the row is a benchmark scenario's that ran (it names its instance)."""
    return isinstance(row.get("instance"), str)


__all__ = [
    "COLUMNS",
    "ERROR",
    "INVALID",
    "KPI_COLUMNS",
    "failed_row",
    "is_benchmark",
    "solved",
    "table",
    "table_csv",
    "write_table",
]
