"""The what-if view: what changed between a scenario and its base, in words.

For a coordinator: "more-subsidy vs pilot (subsidy pool +20 %): +140 placements, learning
share -1 point, subsidy +18 %". The change is read from the two scenarios' settings, the
effect from their rows of the comparison table: counts as differences, shares in
percentage points, money in per cent. KPIs that did not move are left out, placements never.
A benchmark scenario against its base (a benchmark scenario too: the spec refuses a mix)
compares the objective and the gap to the best-known value instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.batch.settings import SCALED
from api.batch.spec import Scenario
from api.batch.table import is_benchmark, solved


@dataclass(frozen=True)
class Kpi:
    """A KPI of the what-if view: its column, its name in words and how a change reads."""

    column: str
    label: str
    kind: str  # "count", "share", "score", "money", "value" or "percent"


WHATIF_KPIS = (
    Kpi("placements", "placements", "count"),
    Kpi("learning_share", "learning share", "share"),
    Kpi("strengths_share", "strengths share", "share"),
    Kpi("cross_sector_share", "cross-sector share", "share"),
    Kpi("seat_fill_rate", "seats filled", "share"),
    Kpi("lender_rate_min", "lowest lender rate", "share"),
    Kpi("mean_score", "mean score", "score"),
    Kpi("subsidy", "subsidy", "money"),
    Kpi("topups", "top-ups", "money"),
    Kpi("host_fees", "host fees", "money"),
    Kpi("blocking_pairs", "blocking pairs", "count"),
)
"""The KPIs compared, in the order the sentence names them."""

BENCHMARK_KPIS = (
    Kpi("objective", "objective", "value"),
    Kpi("gap_to_best_pct", "gap to best known", "percent"),
)
"""What a benchmark scenario and its base compare: the instance's objective, and the gap to
its best-known value (in per cent, so its change is in points)."""


@dataclass(frozen=True)
class WhatIf:
    """A scenario against its base.

    Attributes
    ----------
    scenario, base
        The two scenarios' names.
    change
        What the scenario changes, in words ("subsidy pool +20 %").
    effects
        Each KPI that moved, in words ("+140 placements"); empty when one of the two has
        no assignment (``missing`` then says which).
    deltas
        Each compared KPI's change in its unit (points for shares), by column.
    missing
        Why there is nothing to compare, or "".
    """

    scenario: str
    base: str
    change: str
    effects: tuple[str, ...]
    deltas: dict[str, float]
    missing: str = ""

    def text(self) -> str:
        """The sentence of the summary and the report."""
        head = f"{self.scenario} vs {self.base}" + (f" ({self.change})" if self.change else "")
        if self.missing:
            return f"{head}: no comparison, {self.missing}"
        return f"{head}: {', '.join(self.effects) or 'no KPI changed'}"


def what_ifs(scenarios: list[Scenario], rows: dict[str, dict[str, Any]]) -> list[WhatIf]:
    """The what-if of each scenario that names a base, in file order."""
    by_name = {s.name: s for s in scenarios}
    out = []
    for scenario in scenarios:
        if scenario.base is None or scenario.base not in by_name:
            continue
        base = by_name[scenario.base]
        out.append(what_if(scenario, base, rows.get(scenario.name, {}), rows.get(base.name, {})))
    return out


def what_if(
    scenario: Scenario, base: Scenario, row: dict[str, Any], base_row: dict[str, Any]
) -> WhatIf:
    """``scenario`` against ``base``, from their settings and rows."""
    change = change_text(scenario, base)
    for name, r in ((scenario.name, row), (base.name, base_row)):
        if not solved(r):
            status = r.get("status") or "not run"
            return WhatIf(scenario.name, base.name, change, (), {}, f"{name}: {status}")
    effects, deltas = [], {}
    for kpi in BENCHMARK_KPIS if is_benchmark(row) else WHATIF_KPIS:
        new, old = row.get(kpi.column), base_row.get(kpi.column)
        if new is None or old is None or new != new or old != old:
            continue
        delta, words = _effect(kpi, float(new), float(old))
        deltas[kpi.column] = delta
        if words is not None:
            effects.append(words)
    return WhatIf(scenario.name, base.name, change, tuple(effects), deltas)


def _effect(kpi: Kpi, new: float, old: float) -> tuple[float, str | None]:
    """The change of one KPI and its words (None when it did not move at this precision;
    placements are always said)."""
    if kpi.kind == "count":
        delta = new - old
        if delta == 0 and kpi.column != "placements":
            return delta, None
        label = kpi.label.removesuffix("s") if abs(delta) == 1 else kpi.label
        return delta, f"{_signed(delta, ',.0f')} {label}"
    if kpi.kind == "share":
        points = 100 * (new - old)
        if abs(points) < 0.05:
            return points, None
        unit = "point" if abs(round(points, 1)) == 1 else "points"
        return points, f"{kpi.label} {_signed(points, '.1f')} {unit}"
    if kpi.kind == "score":
        delta = new - old
        return delta, None if abs(delta) < 0.0005 else f"{kpi.label} {_signed(delta, '.3f')}"
    if kpi.kind == "value":
        delta = new - old
        return delta, None if delta == 0 else f"{kpi.label} {_signed(delta, ',.0f')}"
    if kpi.kind == "percent":
        delta = new - old
        if abs(delta) < 0.005:
            return delta, None
        unit = "point" if abs(round(delta, 2)) == 1 else "points"
        return delta, f"{kpi.label} {_signed(delta, '.2f')} {unit}"
    if old == 0:
        return new - old, None if new == 0 else f"{kpi.label} {new:,.0f} (from none)"
    percent = 100 * (new / old - 1)
    return percent, None if abs(percent) < 0.5 else f"{kpi.label} {_signed(percent, '.0f')} %"


def _signed(value: float, spec: str) -> str:
    text = format(value, spec).removesuffix(".0")
    return text if text.startswith("-") else f"+{text}"


def change_text(scenario: Scenario, base: Scenario) -> str:
    """What ``scenario`` sets differently from ``base``, in words."""
    parts = []
    for key, label in SCALED.items():
        new, old = scenario.scale.get(key, 1.0), base.scale.get(key, 1.0)
        if new != old:
            percent = 100 * (new / old - 1) if old else float("inf")
            parts.append(f"{label} {_signed(percent, '.0f')} %")
    for key in sorted(set(scenario.policy) | set(base.policy)):
        value = scenario.policy.get(key)
        if value != base.policy.get(key):
            parts.append(_policy_words(key, value))
    if scenario.benchmark != base.benchmark and scenario.benchmark is not None:
        b = scenario.benchmark
        parts.append(f"{b.suite} instance {b.instance} ({b.sense})")
    elif scenario.round != base.round or scenario.generate != base.generate:
        parts.append(_round_words(scenario))
    if scenario.method != base.method:
        parts.append(f"method {scenario.method}")
    if scenario.time_limit != base.time_limit:
        limit = scenario.time_limit
        parts.append("default time limit" if limit is None else f"time limit {limit:g} s")
    for key, label in (("workers", "workers"), ("seed", "seed"), ("gap", "gap")):
        if getattr(scenario, key) != getattr(base, key):
            parts.append(f"{label} {getattr(scenario, key):g}")
    return ", ".join(parts)


def _policy_words(key: str, value: Any) -> str:
    if value is None:
        return f"{key} as the round's"
    if key == "rules" and isinstance(value, dict):
        return ", ".join(f"rule {r} {'on' if on else 'off'}" for r, on in sorted(value.items()))
    if key == "weights" and isinstance(value, dict):
        return ", ".join(f"weight of {w} {v:g}" for w, v in sorted(value.items()))
    return f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}"


def _round_words(scenario: Scenario) -> str:
    if scenario.generate is not None:
        g = scenario.generate
        packages = "" if g.packages is None else f" x {g.packages:,}"
        return f"generated round {g.talents:,}{packages} seed {g.seed}"
    return f"round {scenario.round.name if scenario.round else '?'}"


__all__ = ["BENCHMARK_KPIS", "WHATIF_KPIS", "WhatIf", "change_text", "what_if", "what_ifs"]
