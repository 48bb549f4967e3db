"""Every method serves every round it accepts: deferred acceptance on a round with budgets
is written with a warning (or fitted into the budgets), ``flow`` on a round that is not
seat-only is one error line, and ``why-not`` does not blame a pair for a round that has no
solution anyway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from api.pipeline import RoundParams, run_round, write_outcome
from api.why_not import why_not
from matcher.compile import compile_round
from matcher.models import Pair, Round
from matcher.roundio import load_round, save_round
from solvers.result import SolveParams, Status
from tests.checks import check
from tests.factories import PILOT
from tests.references import market_round

PARAMS = SolveParams(time_limit=5, workers=1)


def _budget_round() -> Round:
    """Deferred acceptance breaks the host's budget here."""
    return market_round(5, 8, 4, max_seats=2, hiring_budget=5000.0)


def _saved(round_: Round, tmp_path: Path) -> str:
    path = tmp_path / "round.json"
    save_round(round_, path)
    return str(path)


@pytest.mark.parametrize("method", ["da", "da-packages"])
def test_a_matching_that_breaks_a_budget_is_written_with_a_warning(
    method: str, tmp_path: Path
) -> None:
    outcome = run_round(_budget_round(), RoundParams(method, PARAMS))
    assert outcome.result.status == Status.UNKNOWN and outcome.result.placements > 0
    assert outcome.solved
    assert outcome.evaluation is not None and not outcome.evaluation.feasible
    (warning,) = outcome.warnings()
    assert warning.startswith("warning: this assignment breaks 1 hard constraint(s): host_budget")
    summary = outcome.summary()
    assert summary.endswith(warning)
    assert "note: breaks 1 budget(s): host budget of 'host' by " in summary
    written = {p.name for p in write_outcome(outcome, tmp_path)}
    assert {"result.json", "kpis.json", "placements.csv", "unplaced.csv"} <= written
    kpis = json.loads((tmp_path / "kpis.json").read_text())
    assert kpis["feasible"] is False and kpis["violations"]
    assert json.loads((tmp_path / "result.json").read_text())["status"] == "unknown"


def test_the_command_line_writes_the_stable_matching_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _saved(_budget_round(), tmp_path)
    out = tmp_path / "out"
    assert main(["solve", path, "--out", str(out), "--method", "da", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "warning: this assignment breaks 1 hard constraint(s)" in printed
    assert (out / "placements.csv").exists()
    assert json.loads((out / "kpis.json").read_text())["feasible"] is False


@pytest.mark.parametrize("method", ["da", "da-packages"])
def test_respect_budgets_fits_the_matching_into_them(
    method: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _saved(_budget_round(), tmp_path)
    out = tmp_path / "out"
    args = ["solve", path, "--out", str(out), "--method", method, "--respect-budgets"]
    assert main([*args, "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "warning" not in printed
    assert "within the budgets: it broke 1 budget(s)" in printed
    assert json.loads((out / "kpis.json").read_text())["feasible"] is True
    result = json.loads((out / "result.json").read_text())
    assert result["method"] == f"{method}+budgets" and result["status"] == "feasible"
    round_ = load_round(Path(path))
    outcome = run_round(round_, RoundParams(f"{method}+budgets", PARAMS))
    check(outcome.result, round_, outcome.compiled)


def test_respect_budgets_is_for_deferred_acceptance_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _saved(_budget_round(), tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(["solve", path, "--out", str(tmp_path / "o"), "--respect-budgets"])
    assert stopped.value.code == 2
    assert "--respect-budgets applies to --method da and da-packages only" in (
        capsys.readouterr().err
    )


def test_flow_on_a_round_that_is_not_seat_only_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _saved(_budget_round(), tmp_path)
    out = tmp_path / "out"
    assert main(["solve", path, "--out", str(out), "--method", "flow", "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "error: round is not seat-only (1 host budget(s) can bind); the flow method solves "
        "seat-only rounds only: use --method auto\n"
    )
    assert captured.out == ""
    assert main(["why-not", path, "--talent", "t0", "--package", "p0", "--method", "flow"]) == 2
    assert capsys.readouterr().err.startswith("error: round is not seat-only")


def test_why_not_on_a_round_without_solution_does_not_blame_the_pair() -> None:
    # ann pinned onto two tours at once: no assignment exists, whatever else is pinned
    round_ = load_round(PILOT)
    round_ = round_.model_copy(
        update={
            "pins": [
                Pair(talent="ann", package="coop-finance"),
                Pair(talent="ann", package="city-procurement"),
            ]
        }
    )
    answer = why_not(round_, "chloe", "city-data", params=PARAMS)
    assert answer.eligible and answer.base_status == Status.INFEASIBLE
    assert answer.forced is None and answer.forced_status is None
    assert "tours of talent 'ann'" in answer.conflicts
    assert answer.text().startswith(
        "talent 'chloe' / package 'city-data' is eligible, but the round itself has no "
        "solution, with or without the pair (infeasible; "
    )
    assert "forcing it" not in answer.text()


def test_why_not_with_deferred_acceptance_on_a_round_with_budgets() -> None:
    # deferred acceptance ignores pins and budgets: its matching still answers
    round_ = _budget_round()
    compiled = compile_round(round_)
    answer = why_not(round_, "t0", "p0", method="da", params=PARAMS, compiled=compiled)
    assert answer.eligible and answer.base is not None
    if not answer.placed:
        assert answer.forced is not None and answer.conflicts == []
        assert "forcing it changes placements" in answer.text()
