"""The round report's tables as HTML: placements, unplaced talents and organizations.

A table is sortable by each column: its heading is a button in the ``<th>`` (a keyboard
reaches and presses it), and the ``<th>`` carries ``aria-sort`` once sorted (``report.js``
sorts). Numbers are written as a reader reads them (``4,500``, ``33.3 %``); the script sorts
a ``data-type="number"`` column by the number in the text. Rows are built here rather than
in the template: tens of thousands of rows render an order of magnitude faster so. A large
table's rows are written gzip-compressed (base64, in a script element beside it) and
inflated by the browser as the page opens (``DecompressionStream``); a small one's are
plain HTML.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import pandas as pd
from markupsafe import Markup

Format = Callable[[object], str]

COMPRESS_OVER = 1_000_000
"""Characters of row HTML above which a table's rows are written compressed: a
20,000-talent round's unplaced table is 5 MB of HTML and 0.7 MB compressed, and the page
must stay under 10 MB with Plotly's 4.8 MB of JavaScript."""


def text(value: object) -> str:
    """A value as text."""
    return "" if value is None or value != value else str(value)


def money(value: object) -> str:
    """A monthly amount, whole units with thousands separators."""
    return f"{float(value):,.0f}"  # type: ignore[arg-type]


def decimal(value: object) -> str:
    """A score, three decimals."""
    return f"{float(value):.3f}"  # type: ignore[arg-type]


def share(value: object) -> str:
    """A share as a percentage."""
    return f"{float(value):.1%}"  # type: ignore[arg-type]


def count(value: object) -> str:
    """A whole number with thousands separators."""
    return f"{int(value):,}"  # type: ignore[call-overload]


def fte(value: object) -> str:
    """A tour's FTE (``1``, ``0.8``), empty when unknown."""
    number = float(value)  # type: ignore[arg-type]
    return "" if number != number else f"{number:g}"


def tenth(value: object) -> str:
    """A fractional count (the linear relaxation's placements), one decimal; empty when
    unknown."""
    number = float(value)  # type: ignore[arg-type]
    return "" if number != number else f"{number:,.1f}"


def optional_share(value: object) -> str:
    """A share as a percentage, empty when unknown."""
    number = float(value)  # type: ignore[arg-type]
    return "" if number != number else f"{number:.1%}"


@dataclass(frozen=True)
class Column:
    """A column: the frame's column, its heading, how a cell is written, and whether it
    sorts as numbers."""

    key: str
    heading: str
    format: Format = text
    numeric: bool = False


PLACEMENT_TABLE = (
    Column("talent", "talent"),
    Column("package_title", "package"),
    Column("host_name", "host"),
    Column("lender_name", "lender"),
    Column("score", "score", decimal, True),
    Column("strengths", "strengths", decimal, True),
    Column("learning", "learning", decimal, True),
    Column("host_fee", "host fee", money, True),
    Column("subsidy", "subsidy", money, True),
    Column("topup", "top-up", money, True),
    Column("start", "start"),
    Column("end", "end"),
    Column("fte", "FTE", fte, True),
)
"""The placements table: the package's title and the organizations' names (their ids when a
table has no names); amounts per month."""
UNPLACED_TABLE = (
    Column("talent", "talent"),
    Column("lender_name", "lender"),
    Column("explanation", "reason"),
    Column("detail", "detail"),
)
"""The unplaced table: each talent's main reason and its detail (the package it came
closest to, who took the seats or what a budget had left)."""
PRICE_TABLE = (
    Column("rule", "rule"),
    Column("lp_placements", "placements (linear relaxation)", tenth, True),
    Column("lp_share", "score (linear relaxation)", optional_share, True),
    Column("placements", "placements (re-solved)", tenth, True),
    Column("share", "score (re-solved)", optional_share, True),
)
"""The price of every rule: what dropping it gains in placements and in share of the score,
estimated by the linear relaxation and, for the dearest, confirmed by a re-solve."""
ORGANIZATION_TABLE = (
    Column("organization", "id"),
    Column("name", "organization"),
    Column("talents", "talents lent", count, True),
    Column("placed", "placed", count, True),
    Column("rate", "placement rate", share, True),
    Column("hosted", "placements hosted", count, True),
    Column("host_share", "share of placements", share, True),
    Column("fees_paid", "host fees paid", money, True),
    Column("host_fee", "fees for its talents", money, True),
    Column("subsidy", "subsidy for its talents", money, True),
    Column("topup", "top-ups paid", money, True),
)
"""The organizations table: as a lender, and as a host; amounts per month."""


def sortable_table(
    frame: pd.DataFrame,
    columns: tuple[Column, ...],
    table_id: str,
    caption: str,
    compress_over: int = COMPRESS_OVER,
) -> Markup:
    """``frame`` as a sortable HTML table, one row per frame row.

    Parameters
    ----------
    frame
        The rows, with a column per :class:`Column` (see :func:`with_fallbacks` for names
        that fall back to ids).
    columns
        What to show and how.
    table_id
        The table's element id.
    caption
        The table's caption (a screen reader announces it with the table).
    compress_over
        Rows of more than this many characters of HTML go into a gzip-compressed script
        element beside the table, which ``report.js`` inflates into the ``<tbody>`` as the
        page opens (the table's ``data-rows`` says how many rows it has either way).
    """
    numeric = ' data-type="number"'
    heads = "".join(
        f'<th scope="col"{numeric if c.numeric else ""}>'
        f'<button type="button">{escape(c.heading)}</button></th>'
        for c in columns
    )
    cells = [
        (
            # cell text, no attribute: quotes need no escaping (details quote ids)
            [escape(c.format(v), quote=False) for v in frame[c.key].tolist()],
            ' class="number"' if c.numeric else "",
        )
        for c in columns
    ]
    rows = []
    for i in range(len(frame)):
        row = "".join(f"<td{kind}>{values[i]}</td>" for values, kind in cells)
        rows.append(f"<tr>{row}</tr>")
    body = "\n".join(rows)
    packed = ""
    if len(body) > compress_over:
        data = base64.b64encode(gzip.compress(body.encode("utf-8"), compresslevel=6))
        packed = (
            f'<script type="application/gzip;base64" class="cosource-rows" '
            f'data-for="{escape(table_id)}">{data.decode("ascii")}</script>'
        )
        body = ""
    return Markup(
        f'<table id="{escape(table_id)}" class="sortable" data-rows="{len(frame)}">'
        f"<caption>{escape(caption)}</caption>"
        f"<thead><tr>{heads}</tr></thead>\n<tbody>\n{body}\n</tbody></table>{packed}"
    )


def with_fallbacks(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``frame`` with each empty name of ``names`` (name column -> id column) replaced by
    the id, so that a table without names still says who."""
    frame = frame.copy()
    for name, id_column in names.items():
        frame[name] = frame[name].where(frame[name] != "", frame[id_column])
    return frame


__all__ = [
    "ORGANIZATION_TABLE",
    "PLACEMENT_TABLE",
    "UNPLACED_TABLE",
    "Column",
    "sortable_table",
    "with_fallbacks",
]
