"""The round report as one self-contained HTML page.

Plotly's JavaScript is inlined once in the page's head; each chart is a ``div`` with a
stable id and the class ``cosource-figure``, its figure as JSON in a
``<script type="application/json">`` beside it, drawn by ``report.js``. Nothing is loaded
from a network: the page opens from a file, offline, and prints (``report.css`` fits the
charts and tables to A4).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import plotly.offline
from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

from api.cli_inputs import cosource_version
from api.report import figures as charts
from api.report import summaries
from api.report.figures import ReportFigure
from api.report.inputs import ReportInputs
from api.report.tables import (
    COMPRESS_OVER,
    ORGANIZATION_TABLE,
    PLACEMENT_TABLE,
    PRICE_TABLE,
    UNPLACED_TABLE,
    sortable_table,
    with_fallbacks,
)

MAX_WARNINGS = 5
"""Broken constraints the header names (kpis.json lists them all)."""


def report_html(documents: ReportInputs, *, compress_over: int = COMPRESS_OVER) -> str:
    """The round report of ``documents`` as a self-contained HTML page.

    A solve without an assignment gets a page that says so, with its status and the
    conflicting constraints, and no charts or tables. A table whose rows are more than
    ``compress_over`` characters of HTML has them compressed in the page (see
    :func:`api.report.tables.sortable_table`).
    """
    figures = report_figures(documents)
    context = {
        "version": cosource_version(),
        "title": documents.title or "round",
        "facts": _facts(documents),
        "solved": documents.solved,
        "status": documents.result["status"],
        "conflicts": documents.result["conflicts"],
        "warnings": _warnings(documents),
        "notes": documents.result["notes"][:MAX_WARNINGS],
        "figures": figures,
        "figure_json": {f.id: _figure_json(f) for f in figures},
        "css": Markup(_asset("report.css")),
        "report_js": Markup(_asset("report.js")),
        "plotly_js": Markup(plotly.offline.get_plotlyjs()) if figures else "",
    }
    context["prices_table"] = ""
    if documents.solved:
        context.update(_tables(documents, compress_over))
        context["prices_table"] = _prices_table(documents)
    return _template().render(context)


def write_report(documents: ReportInputs, path: Path) -> int:
    """Write the report of ``documents`` to ``path``; returns its size in bytes."""
    page = report_html(documents).encode("utf-8")
    # write beside, then rename: a browser never opens half a page
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(page)
    partial.replace(path)
    return len(page)


def report_figures(documents: ReportInputs) -> list[ReportFigure]:
    """The report's charts, in page order (none without an assignment)."""
    if not documents.solved:
        return []
    organizations = summaries.organizations(documents)
    rate = summaries.round_rate(documents)
    return [
        charts.kpi_chart(summaries.kpis(documents)),
        charts.score_components_chart(documents.placements),
        charts.lender_chart(organizations, rate),
        charts.host_chart(organizations),
        charts.cost_split_chart(organizations),
        charts.fairness_chart(organizations, rate),
        charts.unplaced_chart(summaries.unplaced_reasons(documents)),
    ]


def _figure_json(figure: ReportFigure) -> Markup:
    # inside a <script> element "</" would end it early; JSON reads "<\/" as "</"
    return Markup(figure.figure.to_json().replace("</", "<\\/"))


def _facts(documents: ReportInputs) -> list[tuple[str, str]]:
    result = documents.result
    gap = "-" if result["gap"] is None else f"{result['gap']:.3%}"
    method = result["method"]
    if result["solver"] != method:
        method = f"{method} ({result['solver']})"
    facts = [
        ("round", documents.title or "round"),
        ("method", method),
        ("status", result["status"]),
        ("gap", gap),
        ("placements", f"{result['placements']:,}"),
    ]
    if documents.kpis is not None:
        k = documents.kpis["kpis"]
        facts += [
            ("talents placed", f"{k['placed_talents']:,} of {k['talents']:,}"),
            ("seats filled", f"{k['placements']:,} of {k['seats']:,}"),
            ("mean score", f"{k['mean_score']:.3f}"),
            ("lender-host links", _links(k)),
            ("feasible", "yes" if documents.kpis["feasible"] else "no: constraints broken"),
        ]
        stability = documents.kpis.get("stability")
        if stability is not None:
            stable = stability["blocking_pairs"] == 0
            facts.append(
                (
                    "blocking pairs",
                    "none (stable)" if stable else f"{stability['blocking_pairs']:,}",
                )
            )
    if result["solve_seconds"] is not None:
        facts.append(("solve time", f"{result['solve_seconds']:.1f} s"))
    return facts


def _links(kpis: dict[str, object]) -> str:
    """The distinct lender-host links, with how many are new against the previous round's
    placements when the round has some (older documents have no links: "-")."""
    links, new, share = kpis.get("links"), kpis.get("new_links"), kpis.get("new_link_share")
    if not isinstance(links, int):
        return "-"
    if isinstance(new, int) and isinstance(share, float):
        return f"{links:,} ({new:,} new, {share:.0%})"
    return f"{links:,}"


def _warnings(documents: ReportInputs) -> list[str]:
    if documents.kpis is None or documents.kpis["feasible"]:
        return []
    violations: list[str] = documents.kpis["violations"]
    shown = violations[:MAX_WARNINGS]
    more = len(violations) - len(shown)
    lines = [f"this assignment breaks a hard constraint: {v}" for v in shown]
    if more > 0:
        lines.append(f"and {more:,} more (kpis.json)")
    return lines


def _tables(documents: ReportInputs, compress_over: int) -> dict[str, Markup]:
    placements = with_fallbacks(
        documents.placements,
        {"package_title": "package", "host_name": "host", "lender_name": "lender"},
    )
    unplaced = with_fallbacks(documents.unplaced, {"lender_name": "lender"})
    organizations = summaries.organizations(documents).reset_index()
    organizations = with_fallbacks(organizations, {"name": "organization"})
    return {
        "placements_table": sortable_table(
            placements,
            PLACEMENT_TABLE,
            "placements-table",
            f"{len(placements):,} placements; host fee, subsidy and top-up per month",
            compress_over,
        ),
        "unplaced_table": sortable_table(
            unplaced,
            UNPLACED_TABLE,
            "unplaced-table",
            f"{len(unplaced):,} talents without a placement, with the main reason",
            compress_over,
        ),
        "organizations_table": sortable_table(
            organizations,
            ORGANIZATION_TABLE,
            "organizations-table",
            f"{len(organizations):,} organizations as lenders and as hosts; amounts per month",
            compress_over,
        ),
    }


def _prices_table(documents: ReportInputs) -> Markup | str:
    """The price of every rule as a table, empty when the solve was not priced."""
    frame = summaries.prices(documents)
    if frame is None:
        return ""
    return sortable_table(
        frame,
        PRICE_TABLE,
        "prices-table",
        f"{len(frame):,} rule{'' if len(frame) == 1 else 's'}: what dropping each would gain "
        "in placements and in share of the score (score plus bonus less penalties)",
    )


def _asset(name: str) -> str:
    return resources.files("api.report").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def _template() -> Template:
    # autoescape: names and details come from the round's files
    environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True)
    return environment.from_string(_asset("report.html.j2"))


__all__ = ["report_figures", "report_html", "write_report"]
