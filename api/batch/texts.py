"""What ``cosource batch`` prints: a line per finished scenario, and the closing summary of
the comparison table's main columns with the what-if view. A benchmark scenario's line has
its objective and the best-known value in place of the round's KPIs."""

from __future__ import annotations

from typing import Any

from api.batch.table import is_benchmark, solved
from api.batch.whatif import WhatIf


def progress_line(row: dict[str, Any], done: int, total: int) -> str:
    """One finished scenario: ``[3/20] pilot: optimal, 1,234 placements, ... 10.2 s``."""
    head = f"[{done}/{total}] {row['scenario']}: {row['status']}"
    if not solved(row):
        return f"{head}" + (f": {row['error']}" if row.get("error") else "")
    attempts = " (second attempt)" if row.get("attempts", 1) > 1 else ""
    if is_benchmark(row):
        return f"{head}, {benchmark_words(row)}, {row['wall_seconds']:.1f} s{attempts}"
    return (
        f"{head}, {row['placements']:,} placements, learning {row['learning_share']:.1%}, "
        f"strengths {row['strengths_share']:.1%}, {row['wall_seconds']:.1f} s{attempts}"
    )


def summary_text(rows: list[dict[str, Any]], what_ifs: list[WhatIf]) -> str:
    """The table's main columns, one line per scenario, then the what-if sentences and the
    scenarios that did not run, with why."""
    width = max([8, *(len(str(r["scenario"])) for r in rows)])
    header = (
        f"{'scenario':<{width}}  {'status':<10} {'placed':>8} {'learning':>8} "
        f"{'strengths':>9} {'gap':>8} {'seconds':>8}"
    )
    lines = [header]
    for row in rows:
        name = f"{row['scenario']:<{width}}"
        if not solved(row):
            lines.append(f"{name}  {row['status']:<10}")
            continue
        gap = "-" if row.get("gap") is None else f"{row['gap']:.2%}"
        if is_benchmark(row):
            lines.append(
                f"{name}  {row['status']:<10} {'-':>8} {'-':>8} {'-':>9} {gap:>8} "
                f"{row['wall_seconds']:>8.1f}  {row['instance']}: {benchmark_words(row)}"
            )
            continue
        lines.append(
            f"{name}  {row['status']:<10} {row['placements']:>8,} "
            f"{row['learning_share']:>8.1%} {row['strengths_share']:>9.1%} {gap:>8} "
            f"{row['wall_seconds']:>8.1f}"
        )
    if what_ifs:
        lines += ["", "what if:"] + [f"  {w.text()}" for w in what_ifs]
    failed = [r for r in rows if not solved(r) and r.get("error")]
    if failed:
        lines += ["", "not run or failed:"] + [f"  {r['scenario']}: {r['error']}" for r in failed]
    return "\n".join(lines)


def benchmark_words(row: dict[str, Any]) -> str:
    """A benchmark row's result: ``objective 265, best known 261 (+1.53 %)``."""
    best = f"best known {row['best_known']:,}"
    if not row.get("feasible"):
        return f"objective {row['objective']:,} over an agent's capacity, {best}"
    return f"objective {row['objective']:,}, {best} ({row['gap_to_best_pct']:+.2f} %)"


__all__ = ["benchmark_words", "progress_line", "summary_text"]
