"""``why-not`` and ``shortlist`` as text, JSON and CSV on the pilot round."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from api.answers import ANSWER_SCHEMA_VERSION, ShortlistDocument, WhyNotDocument
from api.cli import main
from matcher.models import SCORE_NAMES
from tests.factories import PILOT

Capture = pytest.CaptureFixture[str]
SOLVE = ["--time-limit", "5", "--workers", "1"]


def _why_not(capsys: Capture, talent: str, package: str, *options: str) -> str:
    args = ["why-not", str(PILOT), "--talent", talent, "--package", package]
    assert main([*args, *SOLVE, *options]) == 0
    return capsys.readouterr().out


def test_why_not_text_names_the_facts(capsys: Capture) -> None:
    assert _why_not(capsys, "femke", "city-data") == (
        "talent 'femke' / package 'city-data' is not eligible: age: 47, the policy asks 50+; "
        "required_skills: needs data-analysis at level 3, talent 'femke' has none\n"
    )
    text = _why_not(capsys, "chloe", "school-analytics")
    assert text.endswith(
        "cost_split: the lender's top-up of 2,240/month exceeds its top-up budget of 1,500\n"
    )


def test_why_not_json_of_an_ineligible_pair(capsys: Capture) -> None:
    document = json.loads(_why_not(capsys, "dirk", "city-procurement", "--format", "json"))
    assert WhyNotDocument.model_validate(document)
    assert document["schema_version"] == ANSWER_SCHEMA_VERSION
    assert (document["talent"], document["package"], document["eligible"]) == (
        "dirk",
        "city-procurement",
        False,
    )
    assert document["failing_rules"] == [
        {
            "rule": "required_skills",
            "reason": "lacks a required skill or level",
            "detail": "needs risk-management at level 3, talent 'dirk' has none",
        },
        {
            "rule": "availability",
            "reason": "not available for the whole tour",
            "detail": "the tour runs 2027-04-01 to 2028-03-31, "
            "the talent is available 2027-03-01 to 2028-03-01",
        },
    ]
    assert document["base"] is document["forced"] is document["change"] is None
    assert document["answer"].startswith("talent 'dirk' / package 'city-procurement' is not")


def test_why_not_json_of_a_forced_pair_keeps_score_and_penalties_apart(capsys: Capture) -> None:
    # ann moves from coop-finance (0.919) to city-procurement (0.427): 3 placements either way
    out = _why_not(capsys, "ann", "city-procurement", "--format", "json")
    document = json.loads(out)
    assert document["eligible"] and not document["placed"] and document["failing_rules"] == []
    assert document["base"]["placements"] == document["forced"]["placements"] == 3
    assert document["base"]["score"] == 1952
    assert document["forced"]["score"] == 1952 - 919 + 427
    assert document["base"]["penalty"] == document["forced"]["penalty"] == 0
    change = document["change"]
    assert change["placements"] == 0
    assert change["score"] == pytest.approx(-0.492)
    assert change["penalty"] == 0.0
    assert document["status"] == "optimal" and document["conflicts"] == []
    assert "changes placements +0, score -0.492, penalties +0.000" in document["answer"]


def test_why_not_json_of_a_placed_pair(capsys: Capture) -> None:
    document = json.loads(_why_not(capsys, "ann", "coop-finance", "--format", "json"))
    assert document["placed"] and document["eligible"]
    assert document["base"]["placements"] == 3 and document["forced"] is None


def test_why_not_json_is_alone_on_stdout_without_a_time_limit(capsys: Capture) -> None:
    args = ["why-not", str(PILOT), "--talent", "femke", "--package", "city-data"]
    assert main([*args, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["eligible"] is False


def _shortlist(capsys: Capture, *args: str) -> str:
    assert main(["shortlist", str(PILOT), *args]) == 0
    return capsys.readouterr().out


def test_shortlist_json_of_a_package(capsys: Capture) -> None:
    document = json.loads(_shortlist(capsys, "--package", "coop-finance", "--format", "json"))
    assert ShortlistDocument.model_validate(document)
    assert (document["of"], document["owner"]) == ("package", "coop-finance")
    first = document["candidates"][0]
    assert (first["rank"], first["candidate"], first["host_fee"]) == (1, "ann", 4500.0)
    assert first["score"] == pytest.approx(0.919, abs=5e-4)
    assert list(first["components"]) == list(SCORE_NAMES)
    # the text shows the same candidates, scores and fees
    text = _shortlist(capsys, "--package", "coop-finance").splitlines()[2:]
    assert [line.split()[1] for line in text] == [c["candidate"] for c in document["candidates"]]
    assert text[0].split()[2] == f"{first['score']:.3f}"


def test_shortlist_json_of_a_talent_has_no_host_fee(capsys: Capture) -> None:
    document = json.loads(_shortlist(capsys, "--talent", "ann", "--format", "json"))
    assert document["of"] == "talent"
    assert [c["candidate"] for c in document["candidates"]] == ["coop-finance", "city-procurement"]
    assert [c["rank"] for c in document["candidates"]] == [1, 2]
    assert all(c["host_fee"] is None for c in document["candidates"])


def test_shortlist_csv(capsys: Capture) -> None:
    rows = list(
        csv.reader(io.StringIO(_shortlist(capsys, "--package", "coop-finance", "--format", "csv")))
    )
    assert rows[0] == ["rank", "talent", "score", *SCORE_NAMES, "host_fee"]
    assert rows[1][:2] == ["1", "ann"] and float(rows[1][-1]) == 4500.0
    rows = list(csv.reader(io.StringIO(_shortlist(capsys, "--talent", "ann", "--format", "csv"))))
    assert rows[0] == ["rank", "package", "score", *SCORE_NAMES]
    assert [row[1] for row in rows[1:]] == ["coop-finance", "city-procurement"]


def test_an_empty_shortlist_as_json_and_csv(capsys: Capture, tmp_path: Path) -> None:
    placements = tmp_path / "placements.csv"
    placements.write_text("talent,package\nann,city-procurement\n")
    args = ["--package", "coop-finance", "--exclude-placed", str(placements), "--format"]
    assert json.loads(_shortlist(capsys, *args, "json"))["candidates"] == []
    assert _shortlist(capsys, *args, "csv").splitlines() == [
        ",".join(["rank", "talent", "score", *SCORE_NAMES, "host_fee"])
    ]


def test_why_not_csv_has_a_row_per_failing_rule(capsys: Capture) -> None:
    rows = list(
        csv.DictReader(io.StringIO(_why_not(capsys, "femke", "city-data", "--format", "csv")))
    )
    assert [row["rule"] for row in rows] == ["age", "required_skills"]
    assert rows[0]["detail"] == "47, the policy asks 50+" or "47" in rows[0]["detail"]
    assert {row["eligible"] for row in rows} == {"False"}
    eligible = list(
        csv.DictReader(io.StringIO(_why_not(capsys, "ann", "city-procurement", "--format", "csv")))
    )
    assert len(eligible) == 1 and eligible[0]["eligible"] == "True"
    assert eligible[0]["placements_change"] == "0" and eligible[0]["status"] == "optimal"


def test_unknown_format_is_refused(capsys: Capture) -> None:
    args = ["why-not", str(PILOT), "--talent", "femke", "--package", "city-data"]
    assert _exit_code([*args, "--format", "xml"]) == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
