"""How the round report's charts look: colours, sizes, the layout they share, and the panel
of a chart with nothing to show."""

from __future__ import annotations

import plotly.graph_objects as go

COLORS = {
    "met": "#1b7f5a",
    "short": "#c8741a",
    "plain": "#4c72b0",
    "placed": "#4c72b0",
    "unplaced": "#c9ced6",
    "host_fee": "#4c72b0",
    "subsidy": "#55a868",
    "topup": "#dd8452",
    "study": "#1f1f1f",
}
"""Colours that stay apart in print and for the common colour-vision deficiencies."""
ROW_HEIGHT = 24
"""Pixels per bar of a horizontal bar chart."""
EMPTY_HEIGHT = 140
"""Pixels of a chart with nothing to show."""


def layout(figure: go.Figure, height: int, **more: object) -> go.Figure:
    """``figure`` in the report's style, ``height`` pixels tall, with ``more`` layout."""
    figure.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 20, "t": 40, "b": 40},
        font={"family": "system-ui, sans-serif", "size": 13},
        # the legend along the top left of the whole chart, clear of the tool bar (top right)
        legend={
            "orientation": "h",
            "xref": "container",
            "x": 0,
            "yref": "container",
            "yanchor": "top",
            "y": 1.0,
            "traceorder": "normal",
        },
        **more,
    )
    figure.update_yaxes(automargin=True)
    figure.update_xaxes(automargin=True)
    return figure


def counts_axis(figure: go.Figure, largest: float, title: str, room: float = 1.0) -> None:
    """An x axis of counts from 0: whole-number ticks, and ``room`` times the largest
    value, so that a label written beside the longest bar is not cut."""
    figure.update_xaxes(
        title_text=title,
        range=[0, max(largest, 1) * room],
        tickformat=",d",
        dtick=1 if largest <= 8 else None,
    )


def nothing(figure: go.Figure, text: str) -> None:
    """Make ``figure`` a short panel saying ``text``: a round may place no one, or all."""
    figure.update_layout(
        height=EMPTY_HEIGHT,
        showlegend=False,
        annotations=[{"text": text, "showarrow": False, "font": {"size": 16}}],
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)


__all__ = ["COLORS", "EMPTY_HEIGHT", "ROW_HEIGHT", "counts_axis", "layout", "nothing"]
