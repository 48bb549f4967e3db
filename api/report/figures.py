"""The round report's charts, one function each, as Plotly figures.

Each function takes the numbers of :mod:`api.report.summaries` and returns a
:class:`ReportFigure`: the figure with the stable element id a browser test finds it by,
its heading and a caption that says in words what it shows (read aloud, and printed).
Charts per organization show the largest :data:`TOP_ORGANIZATIONS`; the organizations table
of the report lists every one.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from api.report.layout import COLORS, ROW_HEIGHT, counts_axis, layout, nothing
from api.report.summaries import Kpi, label
from matcher.models import SCORE_NAMES

TOP_ORGANIZATIONS = 25
"""Organizations in a chart per organization, the largest first."""


@dataclass(frozen=True)
class ReportFigure:
    """A chart of the report.

    Attributes
    ----------
    id
        The element id of its ``div`` (stable: tests and links find the chart by it).
    title
        Its heading.
    caption
        What it shows, in a sentence or two.
    figure
        The Plotly figure, sized (``layout.height``) to fit a printed page's width.
    """

    id: str
    title: str
    caption: str
    figure: go.Figure


def _percent(x: float) -> str:
    return f"{x:.1%}"


def _wrap(text: str, width: int = 48) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def _top(frame: pd.DataFrame, by: str) -> tuple[pd.DataFrame, str]:
    """The :data:`TOP_ORGANIZATIONS` largest rows by ``by``, largest at the top of a
    horizontal bar chart, and a note on how many were left out."""
    top = frame.sort_values([by, "name"], ascending=[False, True], kind="stable")
    left = len(top) - TOP_ORGANIZATIONS
    top = top.head(TOP_ORGANIZATIONS).iloc[::-1]
    note = f" The {TOP_ORGANIZATIONS} largest of {len(frame):,}." if left > 0 else ""
    return top, note


def _org_labels(frame: pd.DataFrame) -> list[str]:
    return [
        label(str(org), str(name)) for org, name in zip(frame.index, frame["name"], strict=True)
    ]


def kpi_chart(kpis: list[Kpi]) -> ReportFigure:
    """The round's shares as bars, with the platform study's figures as marks."""
    ordered = kpis[::-1]
    names = [_wrap(k.label, 30) for k in ordered]
    colors = [
        COLORS["plain"]
        if k.study is None
        else COLORS["met"]
        if k.value >= k.study - 1e-9
        else COLORS["short"]
        for k in ordered
    ]
    figure = go.Figure(
        go.Bar(
            x=[k.value for k in ordered],
            y=names,
            orientation="h",
            marker_color=colors,
            text=[_percent(k.value) for k in ordered],
            textposition="auto",
            name="this round",
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    studied = [(k, n) for k, n in zip(ordered, names, strict=True) if k.study is not None]
    figure.add_trace(
        go.Scatter(
            x=[k.study for k, _ in studied],
            y=[n for _, n in studied],
            mode="markers",
            marker={"symbol": "line-ns", "size": 28, "line": {"width": 4}},
            marker_color=COLORS["study"],
            name="platform study",
            hovertemplate="study: %{x:.0%}<extra></extra>",
        )
    )
    layout(figure, 80 + ROW_HEIGHT * 2 * len(kpis))
    figure.update_xaxes(range=[0, 1.05], tickformat=".0%")
    met = [
        f"{k.label}: {_percent(k.value)} (study {k.study:.0%})" for k in kpis if k.study is not None
    ]
    caption = (
        "The round's shares against the platform study's figures (black marks): "
        + "; ".join(met)
        + "."
    )
    return ReportFigure("fig-kpis", "KPIs against the platform study", caption, figure)


def score_components_chart(placements: pd.DataFrame) -> ReportFigure:
    """The spread of the score and of each of its components over the placements."""
    figure = go.Figure()
    for name in ("score", *SCORE_NAMES):
        values = placements[name].to_numpy(dtype=np.float32)
        figure.add_trace(
            go.Box(
                y=values,
                name=name,
                boxpoints=False,
                marker_color=COLORS["study" if name == "score" else "plain"],
                showlegend=False,
            )
        )
    layout(figure, 360)
    figure.update_yaxes(range=[0, 1.02], title_text="score (0 to 1)")
    median = float(placements["score"].median()) if len(placements) else 0.0
    caption = (
        f"Score and score components of the {len(placements):,} placements: box from the "
        f"first to the third quartile, line at the median (score median {median:.3f})."
    )
    if placements.empty:
        nothing(figure, "no placements")
    return ReportFigure("fig-scores", "Score components of the placements", caption, figure)


def lender_chart(organizations: pd.DataFrame, rate: float) -> ReportFigure:
    """Talents placed and not placed per lending organization, with its placement rate."""
    frame = organizations[organizations["talents"] > 0]
    top, note = _top(frame, "talents")
    names = _org_labels(top)
    figure = go.Figure()
    for column, title in (("placed", "placed"), ("unplaced", "not placed")):
        figure.add_trace(
            go.Bar(
                x=top[column],
                y=names,
                orientation="h",
                name=title,
                marker_color=COLORS[column],
                customdata=np.stack([top["talents"], top["rate"]], axis=1),
                hovertemplate="%{y}: %{x} " + title + " of %{customdata[0]} talents "
                "(rate %{customdata[1]:.1%})<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=top["talents"],
            y=names,
            mode="text",
            text=[f" {r:.0%}" for r in top["rate"]],
            textposition="middle right",
            cliponaxis=False,
            showlegend=False,
            hoverinfo="skip",
        )
    )
    layout(figure, 90 + ROW_HEIGHT * len(top), barmode="stack")
    counts_axis(figure, float(top["talents"].max()) if len(top) else 1.0, "talents lent", 1.15)
    caption = (
        f"Talents per lending organization, placed and not placed; the percentage is the "
        f"organization's placement rate (the round's: {rate:.1%}).{note}"
    )
    if top.empty:
        nothing(figure, "no talents")
    return ReportFigure("fig-lenders", "Placements per lending organization", caption, figure)


def host_chart(organizations: pd.DataFrame) -> ReportFigure:
    """Placements per hiring organization, with its share of all placements."""
    frame = organizations[organizations["hosted"] > 0]
    top, note = _top(frame, "hosted")
    figure = go.Figure(
        go.Bar(
            x=top["hosted"],
            y=_org_labels(top),
            orientation="h",
            marker_color=COLORS["placed"],
            text=[f"{s:.1%}" for s in top["host_share"]],
            textposition="outside",
            cliponaxis=False,
            name="placements hosted",
            hovertemplate="%{y}: %{x} placements (%{text} of all)<extra></extra>",
        )
    )
    layout(figure, 90 + ROW_HEIGHT * len(top))
    most = float(top["hosted"].max()) if len(top) else 1.0
    counts_axis(figure, most, "placements hosted", 1.18)
    caption = (
        "Placements per hiring organization; the percentage is its share of all the round's "
        f"placements (the share the policy's max_host_share caps).{note}"
    )
    if top.empty:
        nothing(figure, "no placements")
    return ReportFigure("fig-hosts", "Placements per hiring organization", caption, figure)


def cost_split_chart(organizations: pd.DataFrame) -> ReportFigure:
    """Who pays the retained salaries of each lender's placed talents: hosts' fees, the
    subsidy and the lender's top-ups, stacked."""
    frame = organizations[organizations["placed"] > 0]
    top, note = _top(frame, "retained")
    names = _org_labels(top)
    figure = go.Figure()
    parts = (
        ("host_fee", "host fees (paid by the hosts)"),
        ("subsidy", "subsidy (the platform's pool)"),
        ("topup", "top-ups (paid by the lender)"),
    )
    for column, title in parts:
        figure.add_trace(
            go.Bar(
                x=top[column],
                y=names,
                orientation="h",
                name=title,
                marker_color=COLORS[column],
                hovertemplate="%{y}: %{x:,.0f} a month<extra>" + title + "</extra>",
            )
        )
    layout(figure, 150 + ROW_HEIGHT * len(top), barmode="stack")
    figure.update_xaxes(title_text="per month", tickformat=",.0f")
    totals = {column: float(organizations[column].sum()) for column, _ in parts}
    caption = (
        "The retained salaries of each lending organization's placed talents, per month, by "
        f"who pays them. In all: host fees {totals['host_fee']:,.0f}, subsidy "
        f"{totals['subsidy']:,.0f}, lender top-ups {totals['topup']:,.0f}.{note}"
    )
    if top.empty:
        nothing(figure, "no placements")
    return ReportFigure("fig-costs", "Cost split per lending organization", caption, figure)


def fairness_chart(organizations: pd.DataFrame, rate: float) -> ReportFigure:
    """Each lender's placement rate against its number of talents, beside the round's."""
    frame = organizations[organizations["talents"] > 0]
    names = _org_labels(frame)
    figure = go.Figure(
        go.Scatter(
            x=frame["talents"],
            y=frame["rate"],
            mode="markers",
            marker={"size": 9, "opacity": 0.6, "color": COLORS["plain"]},
            text=names,
            name="a lending organization",
            hovertemplate="%{text}: %{y:.1%} of %{x} talents<extra></extra>",
        )
    )
    most = float(frame["talents"].max()) if len(frame) else 1.0
    figure.add_trace(
        go.Scatter(
            x=[0, most],
            y=[rate, rate],
            mode="lines",
            line={"color": COLORS["study"], "dash": "dash"},
            name=f"the round's rate {rate:.1%}",
            hoverinfo="skip",
        )
    )
    layout(figure, 360)
    figure.update_yaxes(range=[-0.03, 1.05], tickformat=".0%", title_text="placement rate")
    figure.update_xaxes(
        title_text="talents lent",
        rangemode="tozero",
        tickformat=",d",
        dtick=1 if most <= 8 else None,
    )
    low, high = (float(frame["rate"].min()), float(frame["rate"].max())) if len(frame) else (0, 0)
    below = int((frame["rate"] < rate).sum())
    caption = (
        f"Placement rate of each of the {len(frame):,} lending organizations by the number of "
        f"talents it lent: from {low:.1%} to {high:.1%}; {below:,} below the round's "
        f"{rate:.1%} (dashed)."
    )
    if frame.empty:
        nothing(figure, "no talents")
    return ReportFigure("fig-fairness", "Fairness across lenders", caption, figure)


def unplaced_chart(reasons: pd.Series) -> ReportFigure:
    """Unplaced talents per reason."""
    ordered = reasons.iloc[::-1]
    figure = go.Figure(
        go.Bar(
            x=ordered.to_numpy(),
            y=[_wrap(str(r)) for r in ordered.index],
            orientation="h",
            marker_color=COLORS["short"],
            text=[f"{n:,}" for n in ordered.to_numpy()],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x:,} talents: %{y}<extra></extra>",
        )
    )
    lines = sum(_wrap(str(r)).count("<br>") + 1 for r in ordered.index)
    layout(figure, 90 + 20 * lines + 10 * len(ordered))
    most = float(ordered.max()) if len(ordered) else 1.0
    counts_axis(figure, most, "unplaced talents", 1.18)
    total = int(reasons.sum())
    caption = (
        f"The {total:,} talents without a placement, by the main reason (the package each came "
        "closest to; the table below has each one's detail)."
    )
    if reasons.empty:
        nothing(figure, "every talent is placed")
    return ReportFigure("fig-unplaced", "Unplaced talents by reason", caption, figure)


__all__ = [
    "TOP_ORGANIZATIONS",
    "ReportFigure",
    "cost_split_chart",
    "fairness_chart",
    "host_chart",
    "kpi_chart",
    "lender_chart",
    "score_components_chart",
    "unplaced_chart",
]
