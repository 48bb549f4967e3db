"""Rounds as Excel workbooks (matcher.round_workbook through matcher.roundio.load_round), and
CSV files that Excel saved with semicolons."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from api.cli import main as cosource
from matcher.errors import RoundError
from matcher.generator import generate_round
from matcher.models import Pair, Policy, PreviousPlacement, Round
from matcher.round_workbook import (
    SHEET_ORDER,
    read_workbook,
    round_workbook_bytes,
    write_round_workbook,
)
from matcher.roundio import load_round
from tests.factories import PILOT, org, package, talent

TALENT_COLUMNS = (
    "id, lender, age, strengths, learning_goals, values, salary, retention, fte, "
    "available_from, available_to, region, accepts_remote, languages, alumni, network, "
    "excluded, preferences"
)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """The pilot round as a workbook."""
    path = tmp_path / "pilot.xlsx"
    write_round_workbook(load_round(PILOT), path)
    return path


def _edit(path: Path, edit: Callable[[Workbook], object]) -> None:
    """Change the workbook at ``path`` as a person would in Excel, and save it."""
    workbook = openpyxl.load_workbook(path)
    edit(workbook)
    workbook.save(path)


def _set(path: Path, sheet: str, ref: str, value: object) -> None:
    def edit(workbook: Workbook) -> None:
        workbook[sheet][ref] = value

    _edit(path, edit)


def _raises(path: Path, message: str) -> None:
    with pytest.raises(RoundError, match=f"^{re.escape(message)}$"):
        load_round(path)


def _row_of(path: Path, sheet: str, key: str) -> int:
    """The row of ``key`` in a key/value sheet."""
    for row in openpyxl.load_workbook(path)[sheet].iter_rows(min_row=2):
        if row[0].value == key:
            assert row[0].row is not None
            return row[0].row
    raise AssertionError(f"no key {key} in {sheet}")


@pytest.fixture
def awkward_round() -> Round:
    """A round with every optional part and values a spreadsheet likes to change: text that
    looks like a formula, an error value or a number, line breaks, quotes, accents, tiny
    and long numbers, empty budgets."""
    return Round(
        id="awkward-2027",
        name="Ronde « Gent » 2027 — 東京, with a comma",
        organizations=[
            org("bank", name="=SUM(A1:A3)", sector="finance", role="lender",
                competitors=["insurer"], topup_budget=4000.125),
            org("insurer", name="#N/A", sector="0042", hiring_budget=12345.678),
            org("café-zoë", name="Café Zoë", sector="économie sociale", structure="flat",
                role="host", hiring_budget=0.1),
        ],
        talents=[
            talent(
                "ann", lender="bank",
                strengths={"risk-management": 5, "négociation": 3},
                learning_goals={"energy": 1e-7, "community": 12345.678, "law": 0.1},
                values=["intégrité", "impact"],
                salary=7123.456789012345, retention=0.123456789, fte=1 / 3,
                languages=["nl", "日本語"], alumni=["old-employer"], network=["insurer"],
                excluded=["insurer"], preferences=["p2", "p1"], accepts_remote=False,
                region="2027",
            ),
            talent("bob", lender="insurer", age=67, salary=5000.0),
            talent("chloé", lender="insurer", salary=1e-7, available_from=dt.date(2027, 2, 28)),
        ],
        packages=[
            package(
                "p1", host="café-zoë",
                mission='Line one, with a comma\nline two with "quotes"\n=not a formula',
                required={"risk-management": 4}, desired={"négociation": 0.1, "energy": 2.5},
                learnable=["energy", "community"], values=["impact"], seats=3, fte=0.6,
                fee_cap=4500.5, remote="hybrid", languages=["nl"], ranking=["chloé", "ann"],
            ),
            package("p2", host="insurer", fee_cap=0.0, remote="remote", region="brussels"),
        ],
        policy=Policy(
            weights={"strengths": 2.5, "learning": 0.1, "cost": 1e-7},
            rules={"age": False, "minimum_fit": True},
            min_age=45, max_age=67, min_fit=0.25, subsidy_share=0.3, subsidy_pool=1234.5,
            fairness="hard", objective="weighted", top_k=3,
        ),
        pins=[Pair(talent="ann", package="p1")],
        forbidden=[Pair(talent="bob", package="p1"), Pair(talent="chloé", package="p2")],
        previous=[
            PreviousPlacement(talent="bob", package="p2", status="accepted"),
            PreviousPlacement(talent="chloé", package="p1"),
        ],
    )  # fmt: skip


# ---------------------------------------------------------------- round trips


def test_pilot_workbook_reads_back_equal(book: Path) -> None:
    back = load_round(book)
    assert back == load_round(PILOT)
    assert back.model_dump_json() == load_round(PILOT).model_dump_json()


def test_awkward_round_round_trips_exactly(awkward_round: Round, tmp_path: Path) -> None:
    path = tmp_path / "awkward.xlsx"
    write_round_workbook(awkward_round, path)
    back = load_round(path)
    assert back == awkward_round
    assert back.model_dump_json() == awkward_round.model_dump_json()
    # text that Excel would take for a formula, an error or a number stayed text
    assert back.organizations[0].name == "=SUM(A1:A3)"
    assert back.organizations[1].name == "#N/A"
    assert back.organizations[1].sector == "0042"
    assert back.talents[0].salary == 7123.456789012345
    assert back.talents[0].fte == 1 / 3
    assert back.talents[2].salary == 1e-7
    assert back.packages[0].mission.endswith("\n=not a formula")


def test_generated_round_round_trips(tmp_path: Path) -> None:
    round_ = generate_round(300, seed=5)
    path = tmp_path / "generated.xlsx"
    write_round_workbook(round_, path)
    assert read_workbook(path) == round_


def test_numbers_keep_sixteen_significant_digits(tmp_path: Path) -> None:
    # openpyxl writes numbers as %.16g: the documented limit of an exact round trip
    round_ = Round(
        organizations=[org("lend"), org("host")],
        talents=[talent("t", salary=0.1 + 0.2)],
        packages=[package("p")],
    )
    path = tmp_path / "digits.xlsx"
    write_round_workbook(round_, path)
    assert load_round(path).talents[0].salary == float(f"{0.1 + 0.2:.16g}") == 0.3


def test_a_workbook_read_from_a_buffer_names_it(book: Path) -> None:
    data = io.BytesIO(round_workbook_bytes(load_round(PILOT)))
    assert read_workbook(data, name="upload.xlsx") == load_round(PILOT)
    with pytest.raises(RoundError, match=r"^upload\.xlsx: cannot be read as an Excel workbook"):
        read_workbook(io.BytesIO(b"id,name\n"), name="upload.xlsx")


def test_workbook_layout(awkward_round: Round, tmp_path: Path) -> None:
    path = tmp_path / "awkward.xlsx"
    write_round_workbook(awkward_round, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == list(SHEET_ORDER)
    assert workbook.sheetnames == [
        "round", "organizations", "talents", "packages", "pins", "forbidden", "previous",
        "policy",
    ]  # fmt: skip
    talents = workbook["talents"]
    assert talents.freeze_panes == "A2"
    assert talents.auto_filter.ref == "A1:R4"
    assert [c.value for c in talents[1]][:4] == ["id", "lender", "age", "strengths"]
    assert all(c.font.b for c in talents[1])
    ann = {str(h.value): c for h, c in zip(talents[1], talents[2], strict=True)}
    assert ann["available_from"].is_date and ann["available_from"].number_format == "yyyy-mm-dd"
    assert ann["salary"].data_type == "n" and ann["accepts_remote"].value is False
    assert ann["strengths"].value == "risk-management:5;négociation:3"
    widths = [talents.column_dimensions[c].width for c in "ABCD"]
    assert all(6 <= w <= 60 for w in widths)
    policy = {row[0].value: row[1].value for row in workbook["policy"].iter_rows(min_row=2)}
    assert policy["rules"] == "age:false;minimum_fit:true"
    assert policy["min_age"] == 45 and policy["max_age"] == 67 and policy["fairness"] == "hard"
    assert {r[0].value: r[1].value for r in workbook["round"].iter_rows(min_row=2)} == {
        "id": "awkward-2027",
        "name": "Ronde « Gent » 2027 — 東京, with a comma",
    }


def test_empty_optional_tables_are_written_as_a_header(book: Path) -> None:
    workbook = openpyxl.load_workbook(book)
    assert [[c.value for c in row] for row in workbook["pins"].iter_rows()] == [
        ["talent", "package"]
    ]
    assert workbook["previous"].max_row == 1


def test_a_workbook_as_people_keep_it(book: Path) -> None:
    # sheet names in another case, a notes sheet, blank rows above and between the
    # records, a spacer column, a table's optional sheets removed, an empty policy value
    def edit(workbook: Workbook) -> None:
        workbook["talents"].title = "Talents "
        workbook.create_sheet("Notes")["A1"] = "who filled what"
        talents = workbook["Talents "]
        talents.insert_rows(4)
        talents["C4"] = "   "  # spaces alone: a blank row all the same
        talents.insert_rows(1, amount=2)
        workbook["packages"].insert_cols(3)
        for name in ("pins", "forbidden", "previous", "round"):
            del workbook[name]
        policy = workbook["policy"]
        for row in policy.iter_rows(min_row=2):
            if row[0].value == "min_fit":
                row[1].value = None

    _edit(book, edit)
    back = load_round(book)
    assert back == load_round(PILOT).model_copy(update={"id": "round", "name": ""})


def test_cells_typed_as_a_person_types_them(book: Path) -> None:
    # text dates in ISO form, an integer salary, TRUE as a boolean, ids that are numbers
    def edit(workbook: Workbook) -> None:
        talents = workbook["talents"]
        talents["J2"] = "2027-01-01"
        talents["G2"] = 8200
        talents["M2"] = True
        talents["C2"] = 58.0

    _edit(book, edit)
    assert load_round(book) == load_round(PILOT)


def test_cosource_check_and_solve_read_a_workbook(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cosource(["check", str(book)]) == 0
    assert "round 'pilot-2027' Ghent pilot round 2027" in capsys.readouterr().out
    out = tmp_path / "out"
    argv = ["solve", str(book), "--out", str(out), "--time-limit", "2", "--workers", "1"]
    assert cosource([*argv, "--quiet"]) == 0
    assert (out / "placements.csv").read_text().count("\n") == 4  # header and 3 placements


def test_reading_csv_and_json_does_not_load_openpyxl() -> None:
    code = (
        "import sys; from matcher.roundio import load_round; "
        f"load_round({str(PILOT)!r}); print('openpyxl' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


# ---------------------------------------------------------------- bad workbooks


@pytest.mark.parametrize(
    ("table", "line", "column", "old", "new", "place"),
    [
        ("talents", 4, "strengths", "sql:4", "sql:9",
         "talents!D4 (column 'strengths', id 'chloe')"),
        ("talents", 2, "languages", "nl;en", "nl;;en",
         "talents!N2 (column 'languages', id 'ann')"),
        ("packages", 5, "start", "2027-02-01", "2027-02-30",
         "packages!K5 (column 'start', id 'school-analytics')"),
        ("packages", 3, "end", "2028-03-31", "2026-03-31",
         "packages row 3 (id 'city-procurement')"),
        ("packages", 2, "remote", "hybrid", "moon",
         "packages!O2 (column 'remote', id 'coop-finance')"),
        ("organizations", 3, "id", "insurer", "delta insurer",
         "organizations!A3 (column 'id', id 'delta insurer')"),
    ],
)  # fmt: skip
def test_a_workbook_and_a_csv_folder_give_the_same_message_but_the_place(
    book: Path,
    tmp_path: Path,
    table: str,
    line: int,
    column: str,
    old: str,
    new: str,
    place: str,
) -> None:
    folder = Path(shutil.copytree(PILOT, tmp_path / "pilot"))
    path = folder / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    j = rows[0].index(column)
    assert old in rows[line - 1][j]
    rows[line - 1][j] = rows[line - 1][j].replace(old, new)
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    with pytest.raises(RoundError) as from_csv:
        load_round(folder)

    # in the workbook, the same text typed into the same cell
    letter = openpyxl.utils.get_column_letter(j + 1)
    cell = openpyxl.load_workbook(book)[table][f"{letter}{line}"].value
    text = cell.isoformat()[:10] if isinstance(cell, dt.datetime) else str(cell)
    _set(book, table, f"{letter}{line}", text.replace(old, new))
    with pytest.raises(RoundError) as from_book:
        load_round(book)

    csv_place, _, csv_message = str(from_csv.value).partition(": ")
    assert str(from_book.value) == f"{place}: {csv_message}"
    assert csv_place.startswith(f"{table}.csv line {line}")


def test_missing_sheet(book: Path) -> None:
    _edit(book, lambda workbook: workbook.remove(workbook["packages"]))
    _raises(
        book,
        f"{book}: missing sheet 'packages' (sheets: 'round', 'organizations', 'talents', "
        "'pins', 'forbidden', 'previous', 'policy')",
    )


def test_empty_required_sheet(book: Path) -> None:
    def edit(workbook: Workbook) -> None:
        workbook.remove(workbook["talents"])
        workbook.create_sheet("talents")

    _edit(book, edit)
    _raises(book, "talents: empty sheet, expected a header row")


def test_unknown_column(book: Path) -> None:
    _set(book, "talents", "G1", "salry")
    _raises(book, f"talents!G1: unknown column 'salry'; known: {TALENT_COLUMNS}")


def test_repeated_column(book: Path) -> None:
    _set(book, "talents", "S1", "age")
    _raises(book, "talents!S1: column 'age' appears more than once")


def test_missing_required_column(book: Path) -> None:
    _edit(book, lambda workbook: workbook["talents"].delete_cols(7))
    _raises(
        book,
        "talents row 1 (header): missing column 'salary', which every row needs; required: "
        "id, lender, age, salary, available_from, available_to, region",
    )


def test_value_in_a_column_without_header(book: Path) -> None:
    _set(book, "talents", "T4", "a note")
    _raises(book, "talents!T4: a value in a column without a header (T1 is empty)")


def test_merged_cells(book: Path) -> None:
    _edit(book, lambda workbook: workbook["talents"].merge_cells("B3:C3"))
    _raises(
        book,
        "talents!B3:C3: merged cells; unmerge them: a merged range keeps its value in its "
        "first cell only, and its other cells would read as empty",
    )


def test_formula(book: Path) -> None:
    _set(book, "talents", "G5", "=7000*1.1")
    _raises(
        book,
        "talents!G5 (column 'salary', id 'dirk'): a formula (=7000*1.1); enter its value "
        "instead (Paste Special > Values): a workbook keeps only the result Excel last "
        "computed, which may be stale or absent and which is not recomputed here",
    )


def test_formula_in_a_policy_value(book: Path) -> None:
    row = _row_of(book, "policy", "min_age")
    _set(book, "policy", f"B{row}", "=40+10")
    with pytest.raises(
        RoundError, match=rf"^policy!B{row} \(key 'min_age'\): a formula \(=40\+10\)"
    ):
        load_round(book)


def test_formula_as_a_column_name(book: Path) -> None:
    _set(book, "pins", "A1", '="tal"&"ent"')
    _raises(book, "pins!A1: a formula as a column name; write the name itself")


def test_error_value(book: Path) -> None:
    _set(book, "talents", "G6", "#N/A")
    _raises(book, "talents!G6 (column 'salary', id 'els'): the error value #N/A; enter a value")


def test_date_as_text_that_does_not_parse(book: Path) -> None:
    _set(book, "talents", "K3", "31/12/2028")
    _raises(
        book,
        "talents!K3 (column 'available_to', id 'bart'): Input should be a valid date or "
        "datetime, invalid character in year",
    )


def test_number_as_text(book: Path) -> None:
    _set(book, "talents", "G2", "8200")
    _raises(
        book,
        "talents!G2 (column 'salary', id 'ann'): a number stored as text ('8200'); enter it "
        "as a number: text is not read as one, since its decimal and thousands marks depend "
        "on the locale that typed it ('1.500' is 1,500 in some and 1.5 in others)",
    )


def test_number_in_a_date_column(book: Path) -> None:
    def edit(workbook: Workbook) -> None:
        # a date whose cell lost its date format shows as the number Excel counts it by
        cell = workbook["talents"]["J2"]
        cell.value, cell.number_format = 46388, "General"

    _edit(book, edit)
    _raises(
        book,
        "talents!J2 (column 'available_from', id 'ann'): the number 46388, not a date; format "
        "the cell as a date, or write the date as YYYY-MM-DD",
    )


def test_row_numbers_count_blank_rows(book: Path) -> None:
    def edit(workbook: Workbook) -> None:
        talents = workbook["talents"]
        talents["D4"] = talents["D4"].value.replace("sql:4", "sql:9")
        talents.insert_rows(3, amount=2)

    _edit(book, edit)
    _raises(
        book,
        "talents!D6 (column 'strengths', id 'chloe'): strength level 9 for 'sql' is outside 1-5",
    )


def test_unknown_reference_names_the_cell(book: Path) -> None:
    _set(book, "talents", "B2", "nobank")
    _raises(
        book, f"{book}: talent 'ann' (talents!B2, column 'lender'): unknown organization 'nobank'"
    )


def test_pair_errors_name_the_rows(book: Path) -> None:
    def edit(workbook: Workbook) -> None:
        pins = workbook["pins"]
        pins.append(["ann", "coop-finance"])
        pins.append(["ann", "coop-finance"])

    _edit(book, edit)
    _raises(
        book,
        f"{book}: pins row 3: duplicate pin talent 'ann' / package 'coop-finance', already at "
        "pins row 2",
    )
    _edit(book, lambda workbook: workbook["pins"].append(["ann", "nowhere"]))
    _set(book, "pins", "B3", "nowhere")
    _raises(book, f"{book}: pins!B3, column 'package': unknown package 'nowhere'")


def test_bad_policy_value_names_its_cell(book: Path) -> None:
    row = _row_of(book, "policy", "min_age")
    _set(book, "policy", f"B{row}", 500)
    _raises(book, f"policy!B{row} (key 'min_age'): Input should be less than or equal to 100")
    _set(book, "policy", f"B{row}", 50)
    row = _row_of(book, "policy", "weights")
    _set(book, "policy", f"B{row}", "strengths:x")
    _raises(
        book,
        f"policy!B{row} (key 'weights.strengths'): Input should be a valid number, unable to "
        "parse string as a number",
    )


def test_unknown_and_repeated_policy_keys(book: Path) -> None:
    row = _row_of(book, "policy", "min_fit")
    _set(book, "policy", f"A{row}", "min_fitt")
    with pytest.raises(
        RoundError, match=rf"^policy!A{row}: unknown key 'min_fitt'; known: weights, "
    ):
        load_round(book)
    _set(book, "policy", f"A{row}", "min_age")
    first = _row_of(book, "policy", "min_age")
    _raises(book, f"policy!A{row}: key 'min_age' appears twice (first on row {first})")


def test_policy_sheet_needs_key_and_value(book: Path) -> None:
    _set(book, "policy", "B1", "setting")
    _raises(book, "policy!A1: expected the columns key, value, found key, setting")


def test_bad_round_id(book: Path) -> None:
    _set(book, "round", "B2", "pilot 2027")
    _raises(
        book, "round!B2 (key 'id'): 'pilot 2027' is not a valid id (no spaces, ';', ':' or ',')"
    )


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    path.write_text("id,name\n")
    _raises(path, f"{path}: cannot be read as an Excel workbook (.xlsx): File is not a zip file")


def test_a_round_a_workbook_cannot_hold_is_refused_before_writing(tmp_path: Path) -> None:
    round_ = Round(
        organizations=[org("lend", name="bell\x07"), org("host")],
        talents=[talent("t")],
        packages=[package("p")],
    )
    path = tmp_path / "round.xlsx"
    with pytest.raises(
        RoundError,
        match=r"^the round cannot be written as a workbook: organizations!B2: a control "
        r"character, which a workbook cannot hold$",
    ):
        write_round_workbook(round_, path)
    assert list(tmp_path.iterdir()) == []


def test_bad_workbook_exits_2_and_writes_nothing(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _set(book, "talents", "G2", "8 200")
    out = tmp_path / "results"
    assert cosource(["solve", str(book), "--out", str(out), "--xlsx", "--quiet"]) == 2
    assert capsys.readouterr().err.startswith(
        "error: talents!G2 (column 'salary', id 'ann'): a number stored as text ('8 200')"
    )
    assert not out.exists()
    assert cosource(["check", str(book)]) == 2


# ---------------------------------------------------------------- CSV saved by Excel


def _as_excel_saves(folder: Path, delimiter: str = ";") -> None:
    """Rewrite each CSV file as Excel saves "CSV UTF-8" in a locale with decimal commas:
    semicolons, a byte order mark, CRLF line ends, cells quoted only when needed."""
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as file:
            rows = list(csv.reader(file))
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def test_csv_saved_with_semicolons_bom_and_crlf_is_read(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(PILOT, tmp_path / "pilot"))
    _as_excel_saves(folder)
    text = (folder / "talents.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith("id;lender;age;strengths;") and "\r\n" in text
    assert '"risk-management:5;project-management:4;negotiation:3"' in text
    assert load_round(folder) == load_round(PILOT)


def test_semicolon_csv_with_blank_first_lines_is_read(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(PILOT, tmp_path / "pilot"))
    _as_excel_saves(folder)
    path = folder / "organizations.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n\r\n" + path.read_bytes()[3:])
    assert load_round(folder) == load_round(PILOT)


def test_decimal_commas_are_refused_not_guessed(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(PILOT, tmp_path / "pilot"))
    _as_excel_saves(folder)
    path = folder / "talents.csv"
    text = path.read_text(encoding="utf-8-sig").replace(";7400;0.9;0.8;", ";7400;0,9;0.8;")
    path.write_text(text, encoding="utf-8-sig")
    _raises(
        folder,
        "talents.csv line 3 (id 'bart'), column 'retention': Input should be a valid number, "
        "unable to parse string as a number",
    )


def test_the_header_line_alone_decides_the_delimiter(tmp_path: Path) -> None:
    # a comma file whose cells hold more semicolons than the line has commas: the cell is
    # read whole (and refused as an id), not split at its semicolons
    folder = Path(shutil.copytree(PILOT, tmp_path / "pilot"))
    (folder / "pins.csv").write_text('talent,package\r\nann,"a;b;c;d"\r\n')
    _raises(
        folder,
        "pins.csv line 2, column 'package': 'a;b;c;d' is not a valid id (no spaces, ';', ':' "
        "or ',')",
    )
