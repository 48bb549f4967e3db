"""The results workbook (api.workbook): its sheets, formats and numbers, from the pipeline,
from the rows the service stores, and from ``cosource solve --xlsx``."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from api.cli import main as cosource
from api.pipeline import RoundOutcome, RoundParams, run_round, write_outcome
from api.workbook import SHEETS, cost_split, results_workbook
from matcher.generator import generate_round
from matcher.models import SCORE_NAMES
from matcher.roundio import load_round
from solvers.result import SolveParams
from tests.factories import PILOT, PILOT_PLACEMENTS


def _solve(round_: Any, method: str = "auto") -> RoundOutcome:
    return run_round(round_, RoundParams(method, SolveParams(time_limit=2, workers=1)))


def _table(sheet: Worksheet) -> list[dict[str, Any]]:
    """A sheet's rows as dicts by header."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _formats(sheet: Worksheet) -> dict[str, str]:
    """The number format of each column, from its first data row."""
    return {
        str(head.value): cell.number_format for head, cell in zip(sheet[1], sheet[2], strict=True)
    }


def _write(outcome: RoundOutcome, folder: Path) -> openpyxl.Workbook:
    write_outcome(outcome, folder, xlsx=True)
    return openpyxl.load_workbook(folder / "results.xlsx")


@pytest.fixture(scope="module")
def pilot_outcome() -> RoundOutcome:
    return _solve(load_round(PILOT))


@pytest.fixture(scope="module")
def generated_outcome() -> RoundOutcome:
    return _solve(generate_round(400, seed=11), "greedy")


def test_pilot_workbook_has_every_sheet_laid_out(
    pilot_outcome: RoundOutcome, tmp_path: Path
) -> None:
    book = _write(pilot_outcome, tmp_path)
    assert book.sheetnames == list(SHEETS)
    assert book.sheetnames == ["placements", "unplaced", "kpis", "costs", "about"]
    frozen = {name: book[name].freeze_panes for name in SHEETS}
    assert frozen == {
        "placements": "B2",
        "unplaced": "B2",
        "kpis": "A2",
        "costs": "A2",
        "about": "A2",
    }
    assert book["placements"].auto_filter.ref == "A1:V4"
    assert book["costs"].auto_filter.ref is not None
    for name in SHEETS:
        sheet = book[name]
        assert all(cell.font.b for cell in sheet[1]), name
        widths = [d.width for d in sheet.column_dimensions.values()]
        assert len(widths) == sheet.max_column and all(6 <= w <= 60 for w in widths), name


def test_pilot_placements_one_row_each_with_formats(
    pilot_outcome: RoundOutcome, tmp_path: Path
) -> None:
    book = _write(pilot_outcome, tmp_path)
    sheet = book["placements"]
    rows = _table(sheet)
    assert sorted((r["talent"], r["package"]) for r in rows) == sorted(PILOT_PLACEMENTS)
    csv = pd.read_csv(tmp_path / "placements.csv")
    assert [str(c.value) for c in sheet[1]] == list(csv.columns)
    formats = _formats(sheet)
    assert {formats[c] for c in ["score", *SCORE_NAMES]} == {"0.000"}
    assert {formats[c] for c in ("retained", "host_fee", "subsidy", "topup")} == {"#,##0.00"}
    assert formats["fte"] == "0%" and formats["start"] == "yyyy-mm-dd"
    for row, (_, expected) in zip(rows, csv.iterrows(), strict=True):
        assert row["score"] == pytest.approx(expected["score"])
        assert row["host_fee"] == pytest.approx(expected["host_fee"])
        assert isinstance(row["start"], dt.datetime)  # a real date, not text
        assert row["start"].date().isoformat() == expected["start"]
    assert sheet["A2"].data_type == "s" and sheet["E2"].data_type == "n"


def test_pilot_unplaced_kpis_and_about(pilot_outcome: RoundOutcome, tmp_path: Path) -> None:
    book = _write(pilot_outcome, tmp_path)
    unplaced = _table(book["unplaced"])
    assert {r["talent"]: r["reason"] for r in unplaced} == {
        "bart": "no_eligible_package",
        "dirk": "no_eligible_package",
        "femke": "no_eligible_package",
    }
    kpis = {r["key"]: r["value"] for r in _table(book["kpis"])}
    expected = json.loads((tmp_path / "kpis.json").read_text())
    assert kpis["feasible"] is True and kpis["violations"] == 0
    assert kpis["placement_rate"] == 0.5 == expected["kpis"]["placement_rate"]
    assert kpis["objective.placements"] == 3
    assert kpis["host_fees"] == pytest.approx(expected["kpis"]["host_fees"])
    assert kpis["stability.blocking_pairs"] == expected["stability"]["blocking_pairs"]
    formats = {r[0].value: r[2].number_format for r in book["kpis"].iter_rows(min_row=2)}
    assert formats["placement_rate"] == formats["learning_share"] == "0.0%"
    assert formats["mean_score"] == "0.000" and formats["host_fees"] == "#,##0.00"
    assert formats["talents"] == "#,##0"
    about = {r["field"]: r["value"] for r in _table(book["about"])}
    assert about["round"] == "pilot-2027: Ghent pilot round 2027"
    assert (about["method"], about["status"], about["placements"]) == ("auto", "optimal", 3)
    assert about["gap"] == pilot_outcome.result.gap
    written = about["written (UTC)"]
    assert isinstance(written, dt.datetime)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs((now - written).total_seconds()) < 120


def test_costs_per_organization_add_up_to_the_kpis(
    generated_outcome: RoundOutcome, tmp_path: Path
) -> None:
    book = _write(generated_outcome, tmp_path)
    placements = pd.read_csv(tmp_path / "placements.csv")
    assert book["placements"].max_row == len(placements) + 1 > 50
    assert book["unplaced"].max_row == len(pd.read_csv(tmp_path / "unplaced.csv")) + 1
    costs = _table(book["costs"])
    kpis = json.loads((tmp_path / "kpis.json").read_text())["kpis"]
    assert sum(r["host_fees_paid"] for r in costs) == pytest.approx(kpis["host_fees"], abs=0.1)
    assert sum(r["topups_paid"] for r in costs) == pytest.approx(kpis["topups"], abs=0.1)
    assert sum(r["placements_hosted"] for r in costs) == len(placements)
    assert sum(r["talents"] or 0 for r in costs) == kpis["talents"]
    assert sum(r["placed_talents"] for r in costs) == kpis["placed_talents"]
    round_ = generated_outcome.round
    names = {o.id: o.name for o in round_.organizations}
    for row in costs:
        assert row["name"] == names[row["organization"]]
        assert row["total_paid"] == pytest.approx(row["host_fees_paid"] + row["topups_paid"])
        if row["talents"]:
            assert row["placement_rate"] == pytest.approx(row["placed_talents"] / row["talents"])
    assert [r["organization"] for r in costs] == sorted(r["organization"] for r in costs)
    formats = _formats(book["costs"])
    assert formats["placement_rate"] == "0.0%" and formats["subsidy"] == "#,##0.00"


def test_the_rows_the_service_stores_give_the_same_workbook(
    generated_outcome: RoundOutcome, tmp_path: Path
) -> None:
    # the service keeps the rows as JSON records (dates as text, NaN as null)
    def records(frame: pd.DataFrame) -> pd.DataFrame:
        rows = json.loads(frame.to_json(orient="records", date_format="iso"))
        return pd.DataFrame(rows)

    result = generated_outcome.result_document().model_dump(mode="json")
    kpis_document = generated_outcome.kpis_document()
    assert kpis_document is not None
    kpis = kpis_document.model_dump(mode="json")
    when = dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC)
    from_frames, from_records = io.BytesIO(), io.BytesIO()
    placements, unplaced = generated_outcome.placements(), generated_outcome.unplaced()
    results_workbook(result, kpis, placements, unplaced, from_frames, written=when)
    results_workbook(
        result, kpis, records(placements), records(unplaced), from_records, written=when
    )
    first, second = (openpyxl.load_workbook(b) for b in (from_frames, from_records))
    for name in SHEETS:
        assert _table(first[name]) == _table(second[name]), name
    assert {r["field"]: r["value"] for r in _table(first["about"])}["written (UTC)"] == (
        dt.datetime(2027, 3, 1, 9, 30)
    )


def test_a_run_without_assignment_still_has_every_sheet(tmp_path: Path) -> None:
    result = {"method": "cpsat", "solver": "cpsat", "status": "infeasible", "placements": 0}
    path = tmp_path / "results.xlsx"
    results_workbook(result, None, pd.DataFrame(), pd.DataFrame(), path, round_name="r")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    assert [c.value for c in book["kpis"][1]] == ["key", "indicator", "value"]
    assert book["kpis"].max_row == 1 and book["costs"].max_row == 1
    about = {r["field"]: r["value"] for r in _table(book["about"])}
    assert (about["round"], about["status"], about["placements"]) == ("r", "infeasible", 0)


def test_text_is_written_as_text(tmp_path: Path) -> None:
    # names that Excel would take for a formula or an error value, and a control character
    placements = pd.DataFrame(
        {
            "talent": ["t1"],
            "package": ["p1"],
            "lender": ["a"],
            "host": ["b"],
            "host_fee": [1234.5],
            "topup": [0.0],
            "subsidy": [0.0],
            "lender_name": ['=HYPERLINK("x")'],
            "host_name": ["#N/A"],
            "package_title": ["bell\x07"],
        }
    )
    path = tmp_path / "results.xlsx"
    results_workbook({}, None, placements, pd.DataFrame(), path)
    row = _table(openpyxl.load_workbook(path)["placements"])[0]
    assert row["lender_name"] == '=HYPERLINK("x")'
    assert row["host_name"] == "#N/A"
    assert row["package_title"] == "bell\ufffd"
    costs = cost_split(placements, pd.DataFrame())
    assert list(costs["organization"]) == ["a", "b"]
    assert costs["talents"].isna().all()  # unknown without the unplaced talents' lenders


def test_solve_xlsx_writes_the_workbook_and_a_later_solve_removes_it(tmp_path: Path) -> None:
    out = tmp_path / "results"
    argv = ["solve", str(PILOT), "--out", str(out), "--time-limit", "2", "--workers", "1"]
    assert cosource([*argv, "--quiet", "--xlsx"]) == 0
    book = openpyxl.load_workbook(out / "results.xlsx")
    assert book["placements"].max_row == 1 + len(PILOT_PLACEMENTS)
    assert cosource([*argv, "--quiet"]) == 0
    assert not (out / "results.xlsx").exists()
    assert (out / "placements.csv").exists()
