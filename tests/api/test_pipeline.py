"""The round pipeline: one chain from round to outcome, and the files it writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from api.documents import SCHEMA_VERSION, KpisDocument, ResultDocument
from api.outcome_files import OUTCOME_FILES
from api.pipeline import (
    RoundParams,
    default_time_limit,
    run_round,
    write_outcome,
)
from matcher.errors import RoundError
from matcher.models import Policy
from matcher.objective import make_objective
from matcher.roundio import load_round
from solvers.result import Progress, Result, SolveParams, Status
from tests.factories import PILOT, PILOT_PLACEMENTS


def _params(method: str = "auto", **extra: bool) -> RoundParams:
    return RoundParams(method, SolveParams(time_limit=5, workers=1), **extra)


def test_the_pilot_round_end_to_end(tmp_path: Path) -> None:
    reports: list[Progress] = []
    outcome = run_round(load_round(PILOT), _params(), on_progress=reports.append)
    assert outcome.solved and outcome.result.status == Status.OPTIMAL
    assert outcome.evaluation is not None and outcome.evaluation.feasible
    assert sorted(outcome.result.pairs(outcome.compiled)) == sorted(PILOT_PLACEMENTS)
    assert {r.talent: r.reason for r in outcome.reasons} == {
        "bart": "no_eligible_package",
        "dirk": "no_eligible_package",
        "femke": "no_eligible_package",
    }
    assert outcome.stability is not None
    assert outcome.result_document().method == "auto"
    assert "placed 3 of 6 talents (50.0%)" in outcome.summary()

    written = write_outcome(outcome, tmp_path)
    assert sorted(p.name for p in written) == sorted(
        ["result.json", "kpis.json", "placements.csv", "unplaced.csv"]
    )
    result = ResultDocument.model_validate_json((tmp_path / "result.json").read_text())
    assert (result.schema_version, result.status, result.placements) == (
        SCHEMA_VERSION,
        "optimal",
        3,
    )
    kpis = KpisDocument.model_validate_json((tmp_path / "kpis.json").read_text())
    assert kpis.feasible and kpis.objective.placements == 3
    assert kpis.kpis.placement_rate == 0.5
    placements = pd.read_csv(tmp_path / "placements.csv")
    assert sorted(zip(placements.talent, placements.package, strict=True)) == sorted(
        PILOT_PLACEMENTS
    )
    ann = placements[placements.talent == "ann"].iloc[0]
    assert (ann.lender, ann.host, ann.host_fee, ann.topup) == ("bank", "coop", 4500, 3700)


def test_the_documents_read_back_as_written(tmp_path: Path) -> None:
    outcome = run_round(load_round(PILOT), _params("greedy"))
    write_outcome(outcome, tmp_path)
    text = (tmp_path / "result.json").read_text()
    assert ResultDocument.model_validate_json(text) == outcome.result_document()
    assert json.loads(text)["solver"] == "greedy"


def test_blocking_pairs_are_written_when_kept(tmp_path: Path) -> None:
    outcome = run_round(load_round(PILOT), _params("da", blocking_pairs=True))
    assert outcome.blocking_pairs is not None
    write_outcome(outcome, tmp_path)
    assert (tmp_path / "blocking_pairs.csv").read_text().strip() == (
        "talent,package,lender,host,score"
    )
    kpis = json.loads((tmp_path / "kpis.json").read_text())
    assert kpis["stability"] == {
        "blocking_pairs": 0,
        "blocking_talents": 0,
        "blocking_packages": 0,
        "unacceptable_placements": 0,
        "stable": True,
    }


def test_an_infeasible_round_leaves_no_stale_files(tmp_path: Path) -> None:
    solved = run_round(load_round(PILOT), _params("da", blocking_pairs=True))
    write_outcome(solved, tmp_path, xlsx=True)
    assert {p.name for p in tmp_path.iterdir()} == set(OUTCOME_FILES)

    # pin one talent onto two tours at once: no assignment exists
    round_ = load_round(PILOT)
    raw = round_.model_dump(mode="json")
    raw["pins"] = [
        {"talent": "ann", "package": "coop-finance"},
        {"talent": "ann", "package": "city-procurement"},
    ]
    impossible = type(round_).model_validate(raw)
    outcome = run_round(impossible, _params())
    assert not outcome.solved and outcome.kpis_document() is None
    assert outcome.summary().startswith("no solution: infeasible")
    assert "tours of talent 'ann'" in outcome.result.conflicts
    write_outcome(outcome, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"result.json"}


def test_an_existing_file_is_no_results_folder(tmp_path: Path) -> None:
    outcome = run_round(load_round(PILOT), _params("greedy"))
    target = tmp_path / "taken"
    target.write_text("not a folder")
    with pytest.raises(RoundError, match="is an existing file"):
        write_outcome(outcome, target)
    assert target.read_text() == "not a folder"


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown method 'fastest'"):
        RoundParams("fastest")


def test_result_json_says_what_its_numbers_count(tmp_path: Path) -> None:
    outcome = run_round(load_round(PILOT), _params())
    document = outcome.result_document()
    assert document.objective_kind == "lexicographic"
    assert document.placement_bound == 3
    assert document.bound is not None and document.objective is not None
    assert document.bound == document.objective.value  # proven optimal
    assert (
        "score + bonus - penalty" in document.units and "1/1,000 of a score point" in document.units
    )


def test_result_json_names_the_placement_bound_while_more_are_possible() -> None:
    objective = make_objective(2, 1_500, 0, Policy())
    edges = np.arange(2, dtype=np.int64)
    short = Result("auto", Status.FEASIBLE, edges, objective, 5.0e6, 1.0, (), (), 4)
    document = ResultDocument.of("auto", short, 0.1)
    assert (document.bound, document.placement_bound) == (None, 4)
    assert document.gap == pytest.approx(1.0)  # 2 placed, at most 4


def test_the_default_time_limit_grows_with_the_round() -> None:
    pilot = load_round(PILOT)
    assert default_time_limit(pilot) == 10.0

    def of_size(n: int) -> float:
        talent = pilot.talents[0]
        talents = [talent.model_copy(update={"id": f"t{i}"}) for i in range(n)]
        return default_time_limit(pilot.model_copy(update={"talents": talents}))

    assert (of_size(1_000), of_size(2_000), of_size(20_000), of_size(200_000)) == (
        10.0,
        20.0,
        200.0,
        600.0,
    )


def test_unplaced_csv_names_the_binding_budget_with_its_amounts(tmp_path: Path) -> None:
    from matcher.models import Organization
    from tests.factories import make_round, package, talent

    orgs = [
        Organization(id="lend", name="Northsea Bank", sector="finance", role="lender"),
        Organization(
            id="host", name="City of Ghent", sector="public", role="host", hiring_budget=5000
        ),
    ]
    round_ = make_round(
        [
            talent("a", strengths={"audit": 5}, salary=6000),
            talent("b", strengths={"tax": 3}, salary=6000),
        ],
        [
            package("p", title="Audit lead", required={"audit": 3}, desired={}, fee_cap=4000),
            package("q", title="Tax desk", required={"tax": 3}, desired={}, fee_cap=4000),
        ],
        orgs,
    )
    outcome = run_round(round_, _params())
    assert outcome.result.pairs(outcome.compiled) == [("a", "p")]
    write_outcome(outcome, tmp_path)

    placements = pd.read_csv(tmp_path / "placements.csv")
    row = placements.iloc[0]
    assert (row.talent, row.package, row.package_title, row.lender_name, row.host_name) == (
        "a",
        "p",
        "Audit lead",
        "Northsea Bank",
        "City of Ghent",
    )
    assert (row.start, row.end, row.fte) == ("2027-03-01", "2027-08-31", 1.0)

    unplaced = pd.read_csv(tmp_path / "unplaced.csv", keep_default_na=False)
    assert list(unplaced.columns[:4]) == ["talent", "reason", "explanation", "counts"]
    row = unplaced.iloc[0]
    # q's seat is free: the host's budget binds, 1000 left of 5000 for a 4000 fee
    assert (row.talent, row.reason, row.counts) == (
        "b",
        "host_budget_exhausted",
        "host_budget_exhausted:1",
    )
    assert (row.package, row.package_title, row.host, row.host_name) == (
        "q",
        "Tax desk",
        "host",
        "City of Ghent",
    )
    assert (row.budget_left, row.budget_needed) == (1000, 4000)
    assert row.detail.startswith("package 'q' (Tax desk) at 'host' (City of Ghent)")
    assert row.detail.endswith(
        "had a free seat, but the host's hiring budget has 1,000 left per month and the fee "
        "would be 4,000"
    )
    # no pins and no previous round here: the files never say so
    for text in (tmp_path / "unplaced.csv").read_text(), outcome.summary():
        assert "pin" not in text and "prior" not in text and "previous" not in text
