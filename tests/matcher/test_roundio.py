"""Reading and writing rounds: JSON documents and CSV folders."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from matcher.errors import RoundError
from matcher.models import Pair, Policy, PreviousPlacement, Round
from matcher.roundio import (
    load_round,
    read_csv_folder,
    read_json,
    save_round,
    write_csv_folder,
    write_json,
)
from tests.factories import PILOT, org, package, talent


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def pilot(tmp_path: Path) -> Path:
    """A writable copy of examples/pilot."""
    return Path(shutil.copytree(PILOT, tmp_path / "pilot"))


@pytest.fixture
def rich_round() -> Round:
    """A round that uses every optional part of the formats, with awkward values."""
    return Round(
        id="rich-2027",
        name="Ronde « Gent » 2027 — 東京, with a comma",
        organizations=[
            org("bank", name="Bänk, \"Quoted\" & Co", sector="finance", role="lender",
                competitors=["insurer"], topup_budget=4000.125),
            org("insurer", sector="finance", hiring_budget=12345.678),
            org("café-zoë", name="Café Zoë", sector="économie sociale", structure="flat",
                role="host", topup_budget=None, hiring_budget=0.1),
        ],
        talents=[
            talent(
                "ann", lender="bank",
                strengths={"risk-management": 5, "négociation": 3},
                learning_goals={"energy": 1e-7, "community": 12345.678, "law": 0.1},
                values=["intégrité", "impact"],
                salary=7123.456789012345,
                retention=0.123456789,
                fte=1 / 3,
                languages=["nl", "日本語"],
                alumni=["old-employer"],
                network=["insurer"],
                excluded=["insurer"],
                preferences=["p2", "p1"],
                accepts_remote=False,
            ),
            talent("bob", lender="insurer", age=67, salary=5000.0),
            talent("chloé", lender="insurer", salary=1e-7, available_from=dt.date(2027, 2, 28)),
        ],
        packages=[
            package(
                "p1", host="café-zoë",
                mission='Line one, with a comma\nline two with "quotes"',
                required={"risk-management": 4},
                desired={"négociation": 0.1, "energy": 2.5},
                learnable=["energy", "community"],
                values=["impact"],
                seats=3, fte=0.6, fee_cap=4500.5, remote="hybrid",
                languages=["nl"], ranking=["chloé", "ann"],
            ),
            package("p2", host="insurer", fee_cap=0.0, remote="remote", region="brussels"),
        ],
        policy=Policy(
            weights={"strengths": 2.5, "learning": 0.1, "cost": 1e-7},
            rules={"age": False, "minimum_fit": True},
            min_age=45, max_age=67, min_fit=0.25,
            subsidy_share=0.3, subsidy_pool=1234.5,
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


def test_pilot_reads(pilot: Path) -> None:
    round_ = load_round(pilot)
    assert (round_.id, round_.name) == ("pilot-2027", "Ghent pilot round 2027")
    assert [t.id for t in round_.talents] == ["ann", "bart", "chloe", "dirk", "els", "femke"]
    assert round_.organization("city").hiring_budget == 12000
    assert round_.organization("bank").hiring_budget is None
    assert round_.talents[1].strengths == {"accounting": 5, "controlling": 4, "excel-modelling": 4}


def test_pilot_csv_json_csv_is_lossless(pilot: Path, tmp_path: Path) -> None:
    round_ = load_round(pilot)
    save_round(round_, tmp_path / "pilot.json")
    from_json = load_round(tmp_path / "pilot.json")
    assert from_json == round_
    save_round(from_json, tmp_path / "again")
    assert load_round(tmp_path / "again") == round_


def test_rich_round_json_round_trip(rich_round: Round, tmp_path: Path) -> None:
    write_json(rich_round, tmp_path / "rich.json")
    back = read_json(tmp_path / "rich.json")
    assert back == rich_round
    assert back.model_dump_json() == rich_round.model_dump_json()


def test_rich_round_csv_round_trip(rich_round: Round, tmp_path: Path) -> None:
    write_csv_folder(rich_round, tmp_path / "rich")
    back = read_csv_folder(tmp_path / "rich")
    assert back == rich_round
    assert back.model_dump_json() == rich_round.model_dump_json()
    # the awkward values survived exactly, not just approximately
    assert back.talents[0].salary == 7123.456789012345
    assert back.talents[0].fte == 1 / 3
    assert back.talents[2].salary == 1e-7
    assert back.packages[0].mission == 'Line one, with a comma\nline two with "quotes"'


def test_csv_folder_has_the_documented_files(rich_round: Round, tmp_path: Path) -> None:
    write_csv_folder(rich_round, tmp_path / "rich")
    assert sorted(p.name for p in (tmp_path / "rich").iterdir()) == [
        "forbidden.csv",
        "organizations.csv",
        "packages.csv",
        "pins.csv",
        "policy.json",
        "previous.csv",
        "round.json",
        "talents.csv",
    ]
    previous = (tmp_path / "rich" / "previous.csv").read_text(encoding="utf-8")
    assert previous.splitlines() == [
        "talent,package,status",
        "bob,p2,accepted",
        "chloé,p1,proposed",
    ]


def test_writing_twice_gives_the_same_bytes(rich_round: Round, tmp_path: Path) -> None:
    write_csv_folder(rich_round, tmp_path / "a")
    write_csv_folder(read_csv_folder(tmp_path / "a"), tmp_path / "b")
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


def test_rewriting_without_pins_removes_the_old_pins_file(
    rich_round: Round, tmp_path: Path
) -> None:
    folder = tmp_path / "rich"
    write_csv_folder(rich_round, folder)
    fewer = rich_round.model_copy(update={"pins": [], "previous": []})
    write_csv_folder(fewer, folder)
    assert not (folder / "pins.csv").exists()
    assert not (folder / "previous.csv").exists()
    assert read_csv_folder(folder) == fewer


def test_empty_round_round_trips(tmp_path: Path) -> None:
    empty = Round(organizations=[], talents=[], packages=[])
    write_csv_folder(empty, tmp_path / "empty")
    assert (tmp_path / "empty" / "talents.csv").read_text().strip() == (
        "id,lender,age,strengths,learning_goals,values,salary,retention,fte,available_from,"
        "available_to,region,accepts_remote,languages,alumni,network,excluded,preferences"
    )
    assert read_csv_folder(tmp_path / "empty") == empty


def test_csv_folder_without_optional_files(pilot: Path) -> None:
    (pilot / "policy.json").unlink()
    (pilot / "round.json").unlink()
    round_ = load_round(pilot)
    assert (round_.id, round_.name, round_.policy) == ("round", "", Policy())


def test_utf8_bom_and_blank_lines_are_accepted(pilot: Path) -> None:
    path = pilot / "organizations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text("\ufeff" + text.replace("\n", "\n\n", 2), encoding="utf-8")
    assert load_round(pilot) == load_round(PILOT)


def test_json_with_a_utf8_bom_is_accepted(pilot: Path, tmp_path: Path) -> None:
    # a bug fixed: JSON saved by tools that write a byte-order mark could not be read
    path = tmp_path / "pilot.json"
    save_round(load_round(pilot), path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    policy = pilot / "policy.json"
    policy.write_bytes(b"\xef\xbb\xbf" + policy.read_bytes())
    assert load_round(path) == load_round(pilot) == load_round(PILOT)


# ---------------------------------------------------------------- errors


def _edit_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new)
    path.write_text("\n".join(lines), encoding="utf-8")


def _raises(path: Path, message: str) -> None:
    with pytest.raises(RoundError, match=f"^{re.escape(message)}$"):
        load_round(path)


def test_bad_level_names_file_line_and_column(pilot: Path) -> None:
    _edit_line(pilot / "talents.csv", 4, "sql:4", "sql:9")
    _raises(
        pilot,
        "talents.csv line 4 (id 'chloe'), column 'strengths': "
        "strength level 9 for 'sql' is outside 1-5",
    )


def test_bad_compact_cell_names_file_line_and_column(pilot: Path) -> None:
    _edit_line(pilot / "talents.csv", 2, "nl;en", "nl;;en")
    _raises(pilot, "talents.csv line 2 (id 'ann'), column 'languages': empty item in list 'nl;;en'")


def test_bad_date_names_file_line_and_column(pilot: Path) -> None:
    _edit_line(pilot / "packages.csv", 5, "2027-02-01", "2027-02-30")
    _raises(
        pilot,
        "packages.csv line 5 (id 'school-analytics'), column 'start': "
        "Input should be a valid date or datetime, day value is outside expected range",
    )


def test_record_rule_names_file_and_line(pilot: Path) -> None:
    _edit_line(pilot / "packages.csv", 3, "2028-03-31", "2026-03-31")
    _raises(
        pilot,
        "packages.csv line 3 (id 'city-procurement'): end 2026-03-31 is before start 2027-04-01",
    )


def test_line_numbers_count_blank_lines(pilot: Path) -> None:
    # a bug fixed: rows after a blank line were reported one line too early
    _edit_line(pilot / "talents.csv", 5, "claims-handling:5", "claims-handling:7")
    _edit_line(pilot / "talents.csv", 3, "bart,", "\nbart,")
    _raises(
        pilot,
        "talents.csv line 6 (id 'dirk'), column 'strengths': "
        "strength level 7 for 'claims-handling' is outside 1-5",
    )


def test_line_numbers_count_lines_inside_quoted_cells(pilot: Path) -> None:
    # a bug fixed: a mission spanning two lines shifted every later line number
    _edit_line(pilot / "packages.csv", 2, "Set up risk and", '"Set up risk\nand')
    _edit_line(pilot / "packages.csv", 3, "cooperative,", 'cooperative",')
    _edit_line(pilot / "packages.csv", 5, "data-analysis:3", "data-analysis:9")
    _raises(
        pilot,
        "packages.csv line 5 (id 'city-data'), column 'required': "
        "required level 9 for 'data-analysis' is outside 1-5",
    )


def test_short_row_is_an_error(pilot: Path) -> None:
    # a bug fixed: a truncated row silently took defaults for its missing cells
    path = pilot / "talents.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = ",".join(lines[2].split(",")[:-5])
    path.write_text("\n".join(lines), encoding="utf-8")
    _raises(pilot, "talents.csv line 3: 13 cells, expected 18 (one per column of the header)")


def test_long_row_is_an_error(pilot: Path) -> None:
    _edit_line(pilot / "organizations.csv", 4, ",12000", ",12000,extra")
    _raises(pilot, "organizations.csv line 4: 9 cells, expected 8 (one per column of the header)")


def test_unknown_column(pilot: Path) -> None:
    path = pilot / "packages.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("ranking\n", "rankin\n", 1), encoding="utf-8"
    )
    _raises(
        pilot,
        "packages.csv: unknown column 'rankin'; known: id, host, title, mission, required, "
        "desired, learnable, values, seats, fte, start, end, fee_cap, region, remote, "
        "languages, ranking",
    )


def test_repeated_column(pilot: Path) -> None:
    (pilot / "pins.csv").write_text("talent,package,talent\nann,coop-finance,ann\n")
    _raises(pilot, "pins.csv: column 'talent' appears more than once")


def test_missing_required_column(pilot: Path) -> None:
    (pilot / "forbidden.csv").write_text("talent\nann\n")
    _raises(pilot, "forbidden.csv line 2, column 'package': Field required")


def test_missing_packages_file(pilot: Path) -> None:
    (pilot / "packages.csv").unlink()
    _raises(pilot, f"{pilot}: missing file packages.csv")


def test_empty_file(pilot: Path) -> None:
    (pilot / "talents.csv").write_text("\n\n")
    _raises(pilot, "talents.csv: empty file, expected a header row")


def test_file_that_is_not_utf8(pilot: Path) -> None:
    (pilot / "organizations.csv").write_bytes("id,name\ncafé,Café\n".encode("latin-1"))
    with pytest.raises(RoundError, match=r"^organizations\.csv: cannot be read as CSV: .*utf-8"):
        load_round(pilot)


def test_invalid_json_document_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_text('{\n "id": "r",\n "talents": [,]\n}')
    _raises(path, f"{path}: not valid JSON: Expecting value: line 3 column 14 (char 27)")


def test_invalid_policy_json(pilot: Path) -> None:
    (pilot / "policy.json").write_text('{"min_age": 50,}')
    _raises(
        pilot,
        "policy.json: not valid JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 16 (char 15)",
    )


def test_policy_json_that_is_not_an_object(pilot: Path) -> None:
    (pilot / "policy.json").write_text("[50]")
    _raises(pilot, "policy.json: expected a JSON object")


def test_bad_policy_field(pilot: Path) -> None:
    (pilot / "policy.json").write_text('{"min_age": 50, "max_age": 40}')
    _raises(pilot, f"{pilot}: policy: max_age 40 is below min_age 50")


def test_cross_record_error_in_a_folder(pilot: Path) -> None:
    _edit_line(pilot / "talents.csv", 6, "els,school", "els,city")
    _raises(
        pilot,
        f"{pilot}: talent 'els' (talents[4]), field 'lender': organization 'city' only hosts "
        "(role 'host') and cannot lend talents",
    )


def test_json_document_with_a_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "pilot.json"
    save_round(load_round(PILOT), path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["talents"][2]["retention"] = 1.5
    path.write_text(json.dumps(document), encoding="utf-8")
    _raises(
        path,
        f"{path}: talent 'chloe' (talents[2]), field 'retention': "
        "Input should be less than or equal to 1",
    )


def test_missing_path(tmp_path: Path) -> None:
    _raises(tmp_path / "nowhere.json", f"{tmp_path / 'nowhere.json'}: no such file or folder")


# ---------------------------------------------------------------- nothing half-written


def test_failed_read_writes_nothing(pilot: Path) -> None:
    _edit_line(pilot / "talents.csv", 7, "femke,bank,47", "femke,bank,forty-seven")
    before = _snapshot(pilot)
    with pytest.raises(RoundError, match=r"talents\.csv line 7 \(id 'femke'\), column 'age'"):
        load_round(pilot)
    assert _snapshot(pilot) == before


def test_failed_conversion_leaves_the_target_alone(pilot: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    (pilot / "packages.csv").unlink()
    with pytest.raises(RoundError):
        save_round(load_round(pilot), target)
    assert not target.exists()
    assert list(tmp_path.glob("*.tmp")) == []


def test_json_is_written_without_a_temporary_file_left(rich_round: Round, tmp_path: Path) -> None:
    write_json(rich_round, tmp_path / "deep" / "rich.json")
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["rich.json"]


def test_name_the_csv_form_cannot_hold_is_refused_before_writing(
    rich_round: Round, tmp_path: Path
) -> None:
    # a bug fixed: a skill named "c:level" was written as is and read back as another map;
    # now the write fails, and it fails before any file is touched
    folder = tmp_path / "rich"
    write_csv_folder(rich_round, folder)
    before = _snapshot(folder)
    bad_talent = rich_round.talents[1].model_copy(update={"strengths": {"c:level": 3}})
    bad = rich_round.model_copy(update={"talents": [rich_round.talents[0], bad_talent]})
    with pytest.raises(
        RoundError,
        match=re.escape(
            f"{folder / 'talents.csv'}: cannot be written: item 'c:level' contains ';' or ':'"
        ),
    ):
        write_csv_folder(bad, folder)
    assert _snapshot(folder) == before
    with pytest.raises(RoundError):
        write_csv_folder(bad, tmp_path / "new")
    assert not (tmp_path / "new").exists()
