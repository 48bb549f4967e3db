"""The batch report: one self-contained HTML page with a chart of each KPI per scenario, the
what-if view and the comparison table.

It is drawn as the round report is (:mod:`api.report.html`): Plotly's JavaScript inlined
once, each chart's figure as JSON beside its ``div``, the same style sheet and script, so the
page opens from a file, offline, and prints.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.offline
from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

from api.batch.spec import Batch
from api.batch.table import solved, table
from api.batch.whatif import WhatIf
from api.cli_inputs import cosource_version
from api.report.figures import ReportFigure
from api.report.layout import COLORS, ROW_HEIGHT, layout
from api.report.tables import Column, count, decimal, money, share, sortable_table, text


@dataclass(frozen=True)
class KpiPlot:
    """A KPI the report plots: its column, its name, and how its numbers read."""

    column: str
    label: str
    format: str  # a format spec of the bars' labels
    axis: str  # the axis's tick format


PLOTTED = (
    KpiPlot("placements", "Placements", ",.0f", ",d"),
    KpiPlot("placement_rate", "Talents placed", ".1%", ".0%"),
    KpiPlot("seat_fill_rate", "Seats filled", ".1%", ".0%"),
    KpiPlot("learning_share", "Placed talents learning something they want", ".1%", ".0%"),
    KpiPlot("strengths_share", "Placed talents using their strengths", ".1%", ".0%"),
    KpiPlot("cross_sector_share", "Placed talents moving to another sector", ".1%", ".0%"),
    KpiPlot("lender_rate_min", "Lowest placement rate of a lender", ".1%", ".0%"),
    KpiPlot("mean_score", "Mean score of the placements", ".3f", ".2f"),
    KpiPlot("subsidy", "Subsidy per month", ",.0f", ",.0f"),
    KpiPlot("topups", "Lenders' top-ups per month", ",.0f", ",.0f"),
    KpiPlot("gap", "Gap to the bound", ".2%", ".1%"),
    KpiPlot(
        "gap_to_best_pct", "Benchmark instances: gap to the best-known value (%)", ".2f", ".1f"
    ),
    KpiPlot("wall_seconds", "Wall time of the run (s)", ".1f", ",.0f"),
)
"""The charts, in page order: one bar per scenario with an assignment and a value, each chart
drawn when a scenario has one (the round's KPIs for round scenarios, the gap to the
best-known value for benchmark scenarios)."""

TABLE = (
    Column("scenario", "scenario"),
    Column("base", "base"),
    Column("status", "status"),
    Column("method", "method"),
    Column("instance", "instance"),
    Column("attempts", "attempts", lambda v: text(v).removesuffix(".0"), True),
    Column("placements", "placements", lambda v: "" if v != v else count(v), True),
    Column("learning_share", "learning", lambda v: "" if v != v else share(v), True),
    Column("strengths_share", "strengths", lambda v: "" if v != v else share(v), True),
    Column("mean_score", "mean score", lambda v: "" if v != v else decimal(v), True),
    Column("subsidy", "subsidy", lambda v: "" if v != v else money(v), True),
    Column("gap", "gap", lambda v: "" if v != v else f"{float(v):.2%}", True),  # type: ignore[arg-type]
    Column("best_known", "best known", lambda v: "" if v != v else count(v), True),
    Column(
        "gap_to_best_pct",
        "gap to best",
        lambda v: "" if v != v else f"{float(v):+.2f} %",  # type: ignore[arg-type]
        True,
    ),
    Column("wall_seconds", "seconds", lambda v: "" if v != v else f"{float(v):.1f}", True),  # type: ignore[arg-type]
    Column("error", "error"),
)
"""The comparison table's columns on the page (``comparison.csv`` has them all)."""


def kpi_figure(rows: list[dict[str, Any]], kpi: KpiPlot) -> ReportFigure:
    """One KPI per scenario, as horizontal bars in file order (top to bottom)."""
    shown = [r for r in rows if solved(r) and r.get(kpi.column) is not None]
    ordered = shown[::-1]
    values = [float(r[kpi.column]) for r in ordered]
    names = [str(r["scenario"]) for r in ordered]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker_color=COLORS["plain"],
            text=[format(v, kpi.format) for v in values],
            textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    layout(figure, 90 + ROW_HEIGHT * max(len(shown), 1))
    figure.update_xaxes(tickformat=kpi.axis, rangemode="tozero")
    if shown:
        best = max(shown, key=lambda r: float(r[kpi.column]))
        worst = min(shown, key=lambda r: float(r[kpi.column]))
        caption = (
            f"{kpi.label}, one bar per scenario with an assignment ({len(shown)}): highest "
            f"{format(float(best[kpi.column]), kpi.format)} ({best['scenario']}), lowest "
            f"{format(float(worst[kpi.column]), kpi.format)} ({worst['scenario']})."
        )
    else:
        caption = f"{kpi.label}: no scenario has an assignment."
    return ReportFigure(f"fig-{kpi.column.replace('_', '-')}", kpi.label, caption, figure)


def batch_html(batch: Batch, rows: list[dict[str, Any]], what_ifs: list[WhatIf]) -> str:
    """The batch report as a self-contained HTML page."""
    figures = [kpi_figure(rows, kpi) for kpi in PLOTTED if _plotted(rows, kpi)]
    frame = table(rows)
    frame["base"] = frame["base"].astype(object).fillna("")
    frame["error"] = frame["error"].astype(object).fillna("")
    frame["instance"] = frame["instance"].astype(object).fillna("")
    context = {
        "version": cosource_version(),
        "title": batch.name or batch.path.stem,
        "facts": _facts(batch, rows),
        "what_ifs": [w.text() for w in what_ifs],
        "failed": [f"{r['scenario']}: {r['error']}" for r in rows if r.get("error")],
        "figures": figures,
        "figure_json": {f.id: _figure_json(f) for f in figures},
        "comparison_table": sortable_table(
            _numbers(frame),
            TABLE,
            "comparison-table",
            f"{len(rows)} scenarios; comparison.csv has every column",
        ),
        "css": Markup(_asset("api.report", "report.css")),
        "report_js": Markup(_asset("api.report", "report.js")),
        "plotly_js": Markup(plotly.offline.get_plotlyjs()) if figures else "",
    }
    return _template().render(context)


def _plotted(rows: list[dict[str, Any]], kpi: KpiPlot) -> bool:
    """Whether a scenario with an assignment has a value of ``kpi``."""
    return any(solved(r) and r.get(kpi.column) is not None for r in rows)


def write_batch_report(
    batch: Batch, rows: list[dict[str, Any]], what_ifs: list[WhatIf], path: Path
) -> int:
    """Write the batch report to ``path``, whole or not at all; returns its size in bytes."""
    page = batch_html(batch, rows, what_ifs).encode("utf-8")
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(page)
    partial.replace(path)
    return len(page)


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    numeric = ["attempts", "placements", "learning_share", "strengths_share", "mean_score"]
    numeric += ["subsidy", "gap", "best_known", "gap_to_best_pct", "wall_seconds"]
    frame = frame.copy()
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def _facts(batch: Batch, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    ran = [r for r in rows if solved(r)]
    return [
        ("scenario file", batch.path.name),
        ("scenarios", f"{len(rows):,}"),
        ("with an assignment", f"{len(ran):,}"),
        ("failed or invalid", f"{sum(1 for r in rows if r.get('error')):,}"),
    ]


def _figure_json(figure: ReportFigure) -> Markup:
    # inside a <script> element "</" would end it early; JSON reads "<\/" as "</"
    return Markup(figure.figure.to_json().replace("</", "<\\/"))


def _asset(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


@functools.cache
def _template() -> Template:
    environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True)
    return environment.from_string(_asset("api.batch", "batch.html.j2"))


__all__ = ["PLOTTED", "batch_html", "kpi_figure", "write_batch_report"]
