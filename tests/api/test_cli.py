"""The ``cosource`` command line: generate, check, and errors that name the record."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from api.cli import main
from matcher.compile import compile_round
from matcher.roundio import load_round
from tests.factories import PILOT


def test_check_pilot_prints_counts_and_exclusions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(PILOT)]) == 0
    out = capsys.readouterr().out
    assert "talents               6" in out
    assert "eligible pairs  4 of 30 (13.33%)" in out
    assert "talents with no eligible package   3" in out
    assert "age                                 5" in out
    assert "location                            8" in out
    assert "required_skills                    11" in out


@pytest.mark.parametrize("target", ["round.json", "round-folder"])
def test_generate_then_check(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / target
    assert (
        main(["generate", "--size", "60", "--packages", "20", "--seed", "3", "--out", str(out)])
        == 0
    )
    round_ = load_round(out)
    assert (len(round_.talents), len(round_.packages)) == (60, 20)
    assert main(["check", str(out)]) == 0
    assert "talents              60" in capsys.readouterr().out


def test_same_seed_writes_the_same_round(tmp_path: Path) -> None:
    for name in ("a.json", "b.json"):
        main(["generate", "--size", "40", "--seed", "9", "--out", str(tmp_path / name)])
    first = json.loads((tmp_path / "a.json").read_text())
    assert first == json.loads((tmp_path / "b.json").read_text())


def test_check_reports_bad_input_with_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(PILOT, folder)
    talents = folder / "talents.csv"
    talents.write_text(talents.read_text().replace("sql:4", "sql:7"))
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "talents.csv line 4 (id 'chloe'), column 'strengths'" in err
    assert "strength level 7 for 'sql' is outside 1-5" in err


def test_check_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nothing.json")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_solve_pilot_writes_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results"
    assert main(["solve", str(PILOT), "--out", str(out), "--time-limit", "5"]) == 0
    text = capsys.readouterr().out
    assert "placed 3 of 6 talents (50.0%)" in text
    assert "feasible (checked by the evaluator)" in text
    for name in ("placements.csv", "unplaced.csv", "kpis.json", "result.json"):
        assert (out / name).exists(), name
    result = json.loads((out / "result.json").read_text())
    assert result["status"] == "optimal"
    assert result["placements"] == 3


def test_demo_solves_the_seeded_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out), "--time-limit", "5", "--workers", "1", "--quiet"])
    assert code == 0
    text = capsys.readouterr().out
    assert "demo round: 500 talents, 150 packages" in text
    assert "learn something they want" in text
    assert "use their strengths" in text
    assert "why " in text and "talents were not placed" in text
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["feasible"] is True
    assert load_round(out / "round.json").id == "synthetic-500x150-seed7"


def test_why_not_prints_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["why-not", str(PILOT), "--talent", "femke", "--package", "city-data"]) == 0
    assert "is not eligible: age" in capsys.readouterr().out


def test_solve_reports_blocking_pairs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "da"
    args = ["solve", str(PILOT), "--out", str(out), "--method", "da", "--blocking-pairs"]
    assert main([*args, "--quiet"]) == 0
    assert "stable: no talent and package would both rather be together" in (
        capsys.readouterr().out
    )
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["stability"]["blocking_pairs"] == 0
    assert kpis["stability"]["stable"] is True
    assert (out / "blocking_pairs.csv").read_text().strip() == "talent,package,lender,host,score"


def test_shortlists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shortlist", str(PILOT), "--talent", "ann", "-k", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "shortlist of talent 'ann'"
    assert [line.split()[1] for line in lines[2:]] == ["coop-finance", "city-procurement"]

    assert main(["shortlist", str(PILOT), "--package", "coop-finance"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split()[1] == "ann"
    assert lines[2].split()[-1] == "4,500"  # the host's monthly fee

    placements = tmp_path / "placements.csv"
    placements.write_text("talent,package\nann,city-procurement\n")
    args = ["shortlist", str(PILOT), "--package", "coop-finance", "--exclude-placed"]
    assert main([*args, str(placements)]) == 0
    assert "(no eligible candidate)" in capsys.readouterr().out

    assert main(["shortlist", str(PILOT), "--package", "nowhere"]) == 2
    assert "unknown package 'nowhere'" in capsys.readouterr().err


def test_solve_options_are_checked_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "never"
    for option, value in [
        ("--time-limit", "0"),
        ("--workers", "0"),
        ("--gap", "-1"),
        ("--patience", "-2"),
    ]:
        with pytest.raises(SystemExit) as exit_:
            main(["solve", str(PILOT), "--out", str(out), option, value])
        assert exit_.value.code == 2
        assert f"argument {option}" in capsys.readouterr().err
    assert not out.exists()


def test_solve_with_patience(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "patient"
    assert main(["solve", str(PILOT), "--out", str(out), "--patience", "1", "--quiet"]) == 0
    assert "placed 3 of 6 talents (50.0%)" in capsys.readouterr().out


def test_an_existing_file_as_results_folder_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken.txt"
    taken.write_text("keep me")
    assert main(["solve", str(PILOT), "--out", str(taken), "--quiet"]) == 2
    assert f"the results folder {taken} is an existing file" in capsys.readouterr().err
    assert taken.read_text() == "keep me"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("cosource 0.1.0")


def test_why_not_shows_the_solves_progress_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "round.json"
    assert (
        main(["generate", "--size", "120", "--packages", "30", "--seed", "3", "--out", str(path)])
        == 0
    )
    round_ = load_round(path)
    capsys.readouterr()
    compiled = compile_round(round_)
    # an eligible pair: the answer needs a solve, whose progress goes to stderr
    a = compiled.arrays
    talent = a.talent_ids[int(compiled.talent[0])]
    package = a.package_ids[int(compiled.package[0])]
    args = ["why-not", str(path), "--talent", talent, "--package", package, "--time-limit", "4"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"talent '{talent}' / package '{package}' is")
    assert "not eligible" not in out
    assert "s of 4 s  auto  placed" in err
    assert "s of 4 s" not in out


def test_pins_beyond_a_budget_are_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "pinned"
    shutil.copytree(PILOT, folder)
    orgs = folder / "organizations.csv"
    orgs.write_text(
        orgs.read_text().replace("hierarchical,host,,,12000", "hierarchical,host,,,10000")
    )
    (folder / "pins.csv").write_text("talent,package\nann,city-procurement\nchloe,city-data\n")
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "organization 'city'" in err[0]
    assert "field 'hiring_budget': 10,000.00 a month" in err[0]
    assert not out.exists()
