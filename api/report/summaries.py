"""The numbers a round report plots, from its inputs: per organization, per reason, and the
KPIs beside the platform study's figures.

Each lender's talents are its placed talents (in ``placements``) and its unplaced ones (in
``unplaced``): every talent of a round is in exactly one of the two tables
(:class:`~api.report.inputs.ReportInputs` checks it against ``kpis.json``), so the two
together count the talents each organization lent to the round.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from api.report.inputs import MONEY_COLUMNS, ReportInputs

STUDY_LEARNING = 1.0
"""The platform study: every placed talent learning something they want (as
``api.service.outcomes.STUDY``)."""
STUDY_STRENGTHS = 0.8
"""The platform study: 80 % of placed talents using their strengths."""

ORGANIZATION_COLUMNS = (
    "name",
    "talents",
    "placed",
    "unplaced",
    "rate",
    "hosted",
    "host_share",
    *MONEY_COLUMNS,
    "fees_paid",
)
"""The columns of :func:`organizations`: as a lender its talents, how many are placed and
its rate, with the split of their retained salaries; as a host the placements it hosts, its
share of all placements and the fees it pays."""


@dataclass(frozen=True)
class Kpi:
    """One indicator of the round, with the study's figure when the study has one."""

    label: str
    value: float
    study: float | None = None


def kpis(inputs: ReportInputs) -> list[Kpi]:
    """The round's shares, the two the platform study measured first."""
    if inputs.kpis is None:
        return []
    k = inputs.kpis["kpis"]
    return [
        Kpi("placed talents learning something they want", k["learning_share"], STUDY_LEARNING),
        Kpi("placed talents using their strengths", k["strengths_share"], STUDY_STRENGTHS),
        Kpi("placed talents moving to another sector", k["cross_sector_share"]),
        Kpi("talents placed", k["placement_rate"]),
        Kpi("seats filled", k["seat_fill_rate"]),
    ]


def prices(inputs: ReportInputs) -> pd.DataFrame | None:
    """One row per priced rule (the columns of :data:`api.report.tables.PRICE_TABLE`),
    dearest first; None when the solve was not priced."""
    if inputs.kpis is None or inputs.kpis.get("prices") is None:
        return None
    rows = []
    for price in inputs.kpis["prices"]["rules"]:
        estimate, confirmed = price["estimate"] or {}, price["confirmed"] or {}
        rows.append(
            {
                "rule": price["rule"],
                "lp_placements": estimate.get("placements", float("nan")),
                "lp_share": estimate.get("share", float("nan")),
                "placements": confirmed.get("placements", float("nan")),
                "share": confirmed.get("share", float("nan")),
            }
        )
    return pd.DataFrame(rows, columns=["rule", "lp_placements", "lp_share", "placements", "share"])


def round_rate(inputs: ReportInputs) -> float:
    """The share of the round's talents with a placement."""
    placed = inputs.placements["talent"].nunique()
    total = placed + len(inputs.unplaced)
    return placed / total if total else 0.0


def organizations(inputs: ReportInputs) -> pd.DataFrame:
    """One row per organization in the results, indexed by id, sorted by id: the columns of
    :data:`ORGANIZATION_COLUMNS`. An organization that only hosts lent no talents (rate 0
    of 0 talents); one that only lends hosts nothing."""
    p, u = inputs.placements, inputs.unplaced
    placed = p.drop_duplicates("talent").groupby("lender").size()
    unplaced = u.groupby("lender").size()
    frame = pd.DataFrame({"placed": placed, "unplaced": unplaced}).fillna(0).astype("int64")
    frame["talents"] = frame["placed"] + frame["unplaced"]
    by_host = p.groupby("host")
    frame = frame.join(
        pd.DataFrame({"hosted": by_host.size(), "fees_paid": by_host["host_fee"].sum()}),
        how="outer",
    )
    frame = frame.join(p.groupby("lender")[list(MONEY_COLUMNS)].sum(), how="left")
    frame = frame.fillna(0)
    for column in ("placed", "unplaced", "talents", "hosted"):
        frame[column] = frame[column].astype("int64")
    frame["rate"] = (frame["placed"] / frame["talents"].where(frame["talents"] > 0)).fillna(0.0)
    frame["host_share"] = frame["hosted"] / len(p) if len(p) else 0.0
    frame["name"] = _names(inputs).reindex(frame.index).fillna("")
    frame.index.name = "organization"
    return frame.sort_index()[list(ORGANIZATION_COLUMNS)]


def lenders(inputs: ReportInputs) -> pd.DataFrame:
    """The organizations that lent talents to the round."""
    frame = organizations(inputs)
    return frame[frame["talents"] > 0]


def hosts(inputs: ReportInputs) -> pd.DataFrame:
    """The organizations that host at least one placement."""
    frame = organizations(inputs)
    return frame[frame["hosted"] > 0]


def unplaced_reasons(inputs: ReportInputs) -> pd.Series:
    """Unplaced talents per reason in words, most frequent first."""
    counts = inputs.unplaced["explanation"].value_counts()
    return counts.sort_values(ascending=False, kind="stable")


def label(organization: str, name: str) -> str:
    """An organization as a report names it: its name, else its id."""
    return name or organization


def _names(inputs: ReportInputs) -> pd.Series:
    """Organization id -> name, from every name column of the tables."""
    p, u = inputs.placements, inputs.unplaced
    pairs = [
        p[["lender", "lender_name"]].set_axis(["id", "name"], axis=1),
        p[["host", "host_name"]].set_axis(["id", "name"], axis=1),
        u[["lender", "lender_name"]].set_axis(["id", "name"], axis=1),
        u[["host", "host_name"]].set_axis(["id", "name"], axis=1),
    ]
    names = pd.concat(pairs, ignore_index=True)
    names = names[(names["id"] != "") & (names["name"] != "")].drop_duplicates("id")
    return pd.Series(names["name"].to_numpy(), index=names["id"].to_numpy(), dtype=object)


__all__ = [
    "ORGANIZATION_COLUMNS",
    "STUDY_LEARNING",
    "STUDY_STRENGTHS",
    "Kpi",
    "hosts",
    "kpis",
    "label",
    "lenders",
    "organizations",
    "round_rate",
    "unplaced_reasons",
]
