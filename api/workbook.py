"""A solved round as one Excel workbook, for coordinators who live in spreadsheets.

Built from what a run's files hold (``result.json``, ``kpis.json``, ``placements.csv``,
``unplaced.csv``), so that the command line (``cosource solve --xlsx``) and the HTTP service,
which stores the same documents and rows, write the same workbook. Its sheets:

``placements``  one row per placement: the columns of ``placements.csv``
``unplaced``    one row per unplaced talent: the columns of ``unplaced.csv``
``kpis``        the evaluator's verdict, the objective, the KPIs and the stability audit,
                one indicator per row (``key``, ``indicator``, ``value``)
``costs``       the monthly cost split per organization: host fees it pays as a host,
                top-ups it pays as a lender, the subsidy its top-ups receive, its talents
                placed and the placements it hosts
``about``       the round, method, solver, status, gap, and when the workbook was written

Every table has its header frozen and filter buttons; amounts show thousands separators
(``#,##0.00``), scores three decimals, shares as percentages, tour dates as dates, and each
column is as wide as its values (within bounds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd
from openpyxl import Workbook

from matcher.models import SCORE_NAMES
from matcher.round_workbook import Styled, write_sheet

MONEY = "#,##0.00"
COUNT = "#,##0"
SCORE = "0.000"
SHARE = "0.0%"
SECONDS = "0.00"
WHEN = "yyyy-mm-dd hh:mm"

SHEETS = ("placements", "unplaced", "kpis", "costs", "about")
"""The sheets of a results workbook, in order."""

COLUMN_FORMATS: dict[str, str] = {
    "score": SCORE,
    **dict.fromkeys(SCORE_NAMES, SCORE),
    **dict.fromkeys(
        ("retained", "host_fee", "subsidy", "topup", "budget_left", "budget_needed"), MONEY
    ),
    "fte": "0%",
}
"""Number formats of the placements' and unplaced talents' columns, by name."""
DATE_COLUMNS = ("start", "end")
"""Columns of ISO dates (text in the CSV files and the service's rows), written as dates."""

COST_COLUMNS = (
    "organization",
    "name",
    "talents",
    "placed_talents",
    "placement_rate",
    "placements_hosted",
    "host_fees_paid",
    "topups_paid",
    "subsidy",
    "total_paid",
)
"""The columns of the ``costs`` sheet."""
COST_FORMATS: dict[str, str] = {
    "talents": COUNT,
    "placed_talents": COUNT,
    "placement_rate": SHARE,
    "placements_hosted": COUNT,
    "host_fees_paid": MONEY,
    "topups_paid": MONEY,
    "subsidy": MONEY,
    "total_paid": MONEY,
}

KPI_ROWS: dict[str, tuple[str, str]] = {
    "talents": ("talents", COUNT),
    "packages": ("packages", COUNT),
    "seats": ("seats", COUNT),
    "placements": ("placements", COUNT),
    "placed_talents": ("talents placed", COUNT),
    "placement_rate": ("share of talents placed", SHARE),
    "seat_fill_rate": ("share of seats filled", SHARE),
    "learning_share": ("placed talents learning something they want", SHARE),
    "strengths_share": ("placed talents using their strengths", SHARE),
    "cross_sector_share": ("placements in another sector", SHARE),
    "learning_placement_share": ("placements teaching the talent a goal (learning floor)", SHARE),
    "strengths_placement_share": ("placements using a strength (strengths floor)", SHARE),
    "cross_sector_placement_share": ("placements in another sector (cross-sector floor)", SHARE),
    "lender_rate_min": ("lowest placement rate of a lender", SHARE),
    "lender_rate_max": ("highest placement rate of a lender", SHARE),
    "mean_score": ("mean score of a placement", SCORE),
    "links": ("distinct lender-host links", COUNT),
    "new_links": ("links new against the previous round", COUNT),
    "new_link_share": ("share of links that are new", SHARE),
    "host_fees": ("host fees per month", MONEY),
    "topups": ("lender top-ups per month", MONEY),
    "subsidy": ("subsidy per month", MONEY),
}
"""The KPIs of ``kpis.json``: label and number format, in the order shown."""
STABILITY_ROWS: dict[str, tuple[str, str]] = {
    "blocking_pairs": ("blocking pairs", COUNT),
    "blocking_talents": ("talents in a blocking pair", COUNT),
    "blocking_packages": ("packages in a blocking pair", COUNT),
    "unacceptable_placements": ("placements one side does not accept", COUNT),
    "stable": ("stable: no blocking pair", COUNT),
}
OBJECTIVE_ROWS: dict[str, str] = {
    "placements": "objective: placements",
    "score": "objective: score (1/1,000 point)",
    "penalty": "objective: penalty (1/1,000 point)",
    "value": "objective: value",
}


def results_workbook(
    result: Mapping[str, Any],
    kpis: Mapping[str, Any] | None,
    placements: pd.DataFrame,
    unplaced: pd.DataFrame,
    path_or_buffer: str | Path | IO[bytes],
    *,
    round_name: str = "",
    written: dt.datetime | None = None,
) -> None:
    """Write a solved round as one workbook (see the module docstring for its sheets).

    Parameters
    ----------
    result
        ``result.json`` as a dict (:class:`api.documents.ResultDocument`).
    kpis
        ``kpis.json`` as a dict (:class:`api.documents.KpisDocument`), None when the solve
        found no assignment.
    placements, unplaced
        The rows of ``placements.csv`` and ``unplaced.csv`` (frames as the pipeline makes
        them, or rows as the service stores them); empty without assignment.
    path_or_buffer
        Where to write: a path, or a binary file (a ``BytesIO`` an HTTP answer sends).
    round_name
        The round as the ``about`` sheet names it (``pilot-2027: Ghent pilot round 2027``).
    written
        When, for the ``about`` sheet; default now. Shown in UTC.
    """
    book = Workbook(write_only=True)
    for title, frame in (("placements", placements), ("unplaced", unplaced)):
        columns = [str(c) for c in frame.columns]
        write_sheet(
            book,
            title,
            columns,
            [_column_values(frame[c], c) for c in frame.columns],
            [COLUMN_FORMATS.get(c) for c in columns],
            freeze="B2",  # the header and the talent stay in view
            clean_text=True,
        )
    write_sheet(book, "kpis", ["key", "indicator", "value"], _kpi_rows(kpis), clean_text=True)
    costs = cost_split(placements, unplaced)
    write_sheet(
        book,
        "costs",
        list(COST_COLUMNS),
        [_column_values(costs[c], c) for c in COST_COLUMNS],
        [COST_FORMATS.get(c) for c in COST_COLUMNS],
        clean_text=True,
    )
    write_sheet(
        book,
        "about",
        ["field", "value"],
        _about_rows(result, round_name, written),
        autofilter=False,
        clean_text=True,
    )
    book.save(path_or_buffer)


def cost_split(placements: pd.DataFrame, unplaced: pd.DataFrame) -> pd.DataFrame:
    """The monthly cost split per organization (the ``costs`` sheet), by organization id.

    A host pays the host fees of the placements on its packages; a lender pays the top-ups
    of its placed talents, and ``subsidy`` is what the platform pays towards those top-ups.
    ``talents`` and ``placement_rate`` need the lender of each unplaced talent (the
    ``lender`` column of ``unplaced``); without it they are empty.
    """
    placed = _with_columns(
        placements, ("talent", "lender", "host"), ("host_fee", "topup", "subsidy")
    )
    lent = placed.groupby("lender").agg(
        placed_talents=("talent", "nunique"),
        topups_paid=("topup", "sum"),
        subsidy=("subsidy", "sum"),
    )
    hosted = placed.groupby("host").agg(
        placements_hosted=("talent", "size"), host_fees_paid=("host_fee", "sum")
    )
    frame = lent.join(hosted, how="outer")
    has_lenders = "lender" in unplaced.columns
    if has_lenders:
        waiting = unplaced.groupby("lender")["talent"].nunique().rename("unplaced")
        frame = frame.join(waiting, how="outer")
    counts = ["placed_talents", "placements_hosted"]
    amounts = ["topups_paid", "subsidy", "host_fees_paid"]
    frame[counts + amounts] = frame[counts + amounts].fillna(0)
    frame[counts] = frame[counts].astype("int64")
    if has_lenders:
        frame["talents"] = frame["placed_talents"] + frame["unplaced"].fillna(0).astype("int64")
        lends = frame["talents"] > 0
        frame["placement_rate"] = (frame["placed_talents"] / frame["talents"]).where(lends)
        frame["talents"] = frame["talents"].where(lends)
    else:
        frame["talents"] = None
        frame["placement_rate"] = None
    frame["total_paid"] = frame["host_fees_paid"] + frame["topups_paid"]
    frame[[*amounts, "total_paid"]] = frame[[*amounts, "total_paid"]].round(2)
    names = _names(placements, unplaced)
    frame.index.name = "organization"
    frame = frame.reset_index()
    frame["organization"] = frame["organization"].astype(str)
    frame["name"] = [names.get(org, "") for org in frame["organization"]]
    return frame.sort_values("organization", kind="stable")[list(COST_COLUMNS)].reset_index(
        drop=True
    )


def _with_columns(
    frame: pd.DataFrame, texts: Sequence[str], numbers: Sequence[str]
) -> pd.DataFrame:
    """``frame`` with the columns the cost split reads, those it lacks (a run without
    placements has no columns at all) empty."""
    out = pd.DataFrame(
        {c: frame[c].astype(str) if c in frame else pd.Series(dtype=str) for c in texts}
    )
    for c in numbers:
        out[c] = pd.to_numeric(frame[c], errors="coerce") if c in frame else 0.0
    return out


def _names(placements: pd.DataFrame, unplaced: pd.DataFrame) -> dict[str, str]:
    """Organization id -> name, from the name columns beside the ids."""
    names: dict[str, str] = {}
    for frame in (placements, unplaced):
        for ids, labels in (("lender", "lender_name"), ("host", "host_name")):
            if ids in frame and labels in frame:
                pairs = frame[[ids, labels]].dropna().drop_duplicates()
                names.update(zip(pairs[ids].astype(str), pairs[labels].astype(str), strict=True))
    names.pop("", None)
    return names


def _column_values(series: pd.Series, name: str) -> list[Any]:
    """A column's cells: Python values, None for missing ones, dates for ISO date text."""
    values: list[Any] = series.astype(object).where(series.notna(), None).tolist()
    if name in DATE_COLUMNS:
        return [_as_date(v) for v in values]
    return values


def _as_date(value: Any) -> Any:
    """An ISO date (or a timestamp) as a date; anything else unchanged."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def _kpi_rows(kpis: Mapping[str, Any] | None) -> list[list[Any]]:
    """The ``kpis`` sheet, column by column: key, indicator, value (in its own format)."""
    rows: list[tuple[str, str, Any]] = []
    if kpis is not None:
        violations = list(kpis.get("violations") or [])
        rows.append(("feasible", "breaks no hard constraint", kpis.get("feasible")))
        rows.append(("violations", "hard constraints broken", Styled(len(violations), COUNT)))
        objective = kpis.get("objective") or {}
        for key, label in OBJECTIVE_ROWS.items():
            if key in objective:
                rows.append((f"objective.{key}", label, Styled(objective[key], COUNT)))
        indicators = kpis.get("kpis") or {}
        rows += _indicator_rows(indicators, KPI_ROWS, "")
        stability = kpis.get("stability")
        if stability:
            rows += _indicator_rows(stability, STABILITY_ROWS, "stability.")
        rows += [(f"violation.{i}", "broken", str(v)) for i, v in enumerate(violations, 1)]
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[], [], []]


def _indicator_rows(
    values: Mapping[str, Any], known: Mapping[str, tuple[str, str]], prefix: str
) -> list[tuple[str, str, Any]]:
    """Rows of the known indicators in their order, then any others as they come (a newer
    document's), formatted by their type."""
    rows = []
    for key, (label, number_format) in known.items():
        if key in values:
            value = values[key]
            rows.append((prefix + key, label, _styled(value, number_format)))
    for key, value in values.items():
        if key not in known:
            rows.append((prefix + key, key.replace("_", " "), _styled(value, None)))
    return rows


def _styled(value: Any, number_format: str | None) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        if number_format is None:
            number_format = COUNT if isinstance(value, int) else SCORE
        return Styled(value, number_format)
    return str(value)


def _about_rows(
    result: Mapping[str, Any], round_name: str, written: dt.datetime | None
) -> list[list[Any]]:
    """The ``about`` sheet, column by column: field, value."""
    when = written or dt.datetime.now(dt.UTC)
    if when.tzinfo is not None:  # Excel's dates have no time zone: shown in UTC
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    when = when.replace(microsecond=0)
    objective = result.get("objective") or {}
    rows: list[tuple[str, Any]] = [
        ("round", round_name),
        ("method", result.get("method")),
        ("solver", result.get("solver")),
        ("status", result.get("status")),
        ("placements", _styled(result.get("placements"), COUNT)),
        ("placement bound", _styled(result.get("placement_bound"), COUNT)),
        ("objective", result.get("objective_kind")),
        ("objective value", _styled(objective.get("value"), COUNT)),
        ("bound", _styled(result.get("bound"), COUNT)),
        ("gap", _styled(result.get("gap"), "0.000%")),
        ("deterministic", result.get("deterministic")),
        ("solve seconds", _styled(result.get("solve_seconds"), SECONDS)),
        ("compile seconds", _styled(result.get("compile_seconds"), SECONDS)),
        ("notes", "; ".join(str(n) for n in result.get("notes") or [])),
        ("conflicts", ", ".join(str(c) for c in result.get("conflicts") or [])),
        ("units", result.get("units")),
        ("written (UTC)", Styled(when, WHEN)),
    ]
    return [[field for field, _ in rows], [value for _, value in rows]]


__all__ = ["COLUMN_FORMATS", "SHEETS", "cost_split", "results_workbook"]
