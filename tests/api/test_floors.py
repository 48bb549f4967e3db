"""Outcome floors through the command line and the pipeline: bad floors refused with one
line naming the field (exit 2, nothing solved), an infeasible floor named with the largest
share it can reach (exit 1), and the floors' shares in kpis.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from api.pipeline import RoundParams, run_round
from api.why_not import why_not
from matcher.errors import RoundError
from matcher.models import SCORE_NAMES, Floor, Pair, Policy, Round
from matcher.roundio import save_round
from solvers.result import SolveParams
from tests.factories import make_round, package, talent


def _round(floors: dict[str, Floor], **fields: object) -> Round:
    """``a`` learns sql on p1 only, ``b`` learns nothing anywhere; b is pinned to p2."""
    return make_round(
        [talent("a", learning_goals={"sql": 1.0}), talent("b", learning_goals={"r": 1.0})],
        [package("p1", learnable=["sql"]), package("p2", learnable=["excel"])],
        policy=Policy(floors=floors),
        **fields,
    )


def _run(tmp_path: Path, round_: Round, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "round.json"
    save_round(round_, path)
    out = tmp_path / "out"
    code = main(["solve", str(path), "--out", str(out), "--quiet", "--time-limit", "10"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_floor_outside_zero_one_is_refused_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(_round({}).model_dump_json())
    document["policy"]["floors"] = {"strengths": {"share": 1.2, "mode": "soft"}}
    path = tmp_path / "round.json"
    path.write_text(json.dumps(document))
    code = main(["solve", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "field 'floors.strengths.share'" in err and "less than or equal to 1" in err
    assert not (tmp_path / "out").exists()


def test_a_floor_no_eligible_pair_reaches_is_refused_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a would learn on p1, but p1 is in another region: no eligible pair teaches a goal
    round_ = make_round(
        [talent("a", learning_goals={"sql": 1.0})],
        [package("p1", learnable=["sql"], region="antwerp"), package("p2")],
        policy=Policy(floors={"learning": Floor(share=0.5)}),
    )
    with pytest.raises(RoundError, match=r"policy field 'floors\.learning': no eligible pair"):
        run_round(round_, RoundParams(solve=SolveParams(time_limit=5)))
    code, text = _run(tmp_path, round_, capsys)
    assert code == 2
    assert text.startswith("error: policy field 'floors.learning': no eligible pair has a talent")
    assert not (tmp_path / "out" / "placements.csv").exists()


def test_an_infeasible_floor_is_named_with_its_largest_share_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    round_ = _round({"learning": Floor(share=0.8)}, pins=[Pair(talent="b", package="p2")])
    code, text = _run(tmp_path, round_, capsys)
    assert code == 1
    line = next(x for x in text.splitlines() if x.startswith("no solution"))
    # b must be placed and learns nowhere; a learning on p1 makes the best share 1 of 2
    assert "learning floor (share 0.8 asked, at most 0.5 reachable)" in line
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    assert "learning floor (share 0.8 asked, at most 0.5 reachable)" in result["conflicts"]


def test_kpis_report_the_floors_shares(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    round_ = _round({"learning": Floor(share=0.5)}, pins=[Pair(talent="b", package="p2")])
    code, text = _run(tmp_path, round_, capsys)
    assert code == 0
    assert "learning floor 0.5 (hard): reached 50.0% of placements" in text
    kpis = json.loads((tmp_path / "out" / "kpis.json").read_text())
    assert kpis["feasible"]
    assert kpis["kpis"]["learning_placement_share"] == 0.5


def test_weights_under_which_every_eligible_pair_scores_zero_are_refused() -> None:
    # only learning is weighted, and no talent has a learning goal
    round_ = make_round(
        [talent("a"), talent("b")],
        [package("p1", learnable=["sql"])],
        policy=Policy(weights=dict.fromkeys(SCORE_NAMES, 0.0) | {"learning": 1.0}),
    )
    with pytest.raises(RoundError, match="policy field 'weights': every eligible pair scores 0"):
        run_round(round_, RoundParams(solve=SolveParams(time_limit=5)))


def test_why_not_names_the_floor_a_forced_pair_would_break() -> None:
    round_ = _round({"learning": Floor(share=1.0)})
    answer = why_not(round_, "b", "p2", params=SolveParams(time_limit=10, workers=2))
    text = answer.text()
    assert "learning floor (share 1 asked, at most" in text, text
