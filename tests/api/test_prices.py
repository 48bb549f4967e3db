"""The price of every rule in the files and texts: ``kpis.json``'s "prices", the summary's
lines, the report's table and ``cosource solve --prices``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from api.pipeline import RoundParams, run_round, write_outcome
from api.report.html import report_html
from api.report.inputs import ReportInputs
from api.texts import price_sentence
from matcher.models import Organization, Round
from matcher.roundio import save_round
from solvers.prices import Gain, PriceOptions, RulePrice
from solvers.result import SolveParams
from tests.factories import make_round, org, package, talent

OPTIONS = PriceOptions(lp_seconds=10, resolve_seconds=2, workers=1)
BUDGET = "the hiring budget of 'host' (5,000 a month)"


def blocked() -> Round:
    """Two talents and two one-seat packages at one host whose budget pays one fee."""
    orgs: list[Organization] = [org("lend", role="lender"), org("host", hiring_budget=5_000)]
    return make_round([talent("a"), talent("b")], [package("p"), package("q")], orgs)


def test_prices_reach_kpis_json_the_summary_and_the_report(tmp_path: Path) -> None:
    params = RoundParams(solve=SolveParams(time_limit=5, workers=1), prices=OPTIONS)
    outcome = run_round(blocked(), params)
    assert outcome.prices is not None
    summary = outcome.summary()
    assert f"{BUDGET} costs 1 placement and " in summary
    assert "re-solved without it" in summary
    write_outcome(outcome, tmp_path)
    document = json.loads((tmp_path / "kpis.json").read_text())
    (price,) = document["prices"]["rules"]
    assert price["rule"] == BUDGET
    assert price["confirmed"]["placements"] == 1.0
    page = report_html(ReportInputs.from_folder(tmp_path))
    assert 'id="prices-section"' in page and "Price of every rule" in page
    assert f"<td>{BUDGET}</td>" in page
    # the network breadth among the report's facts: one lender, one host, one link
    assert "<dt>lender-host links</dt><dd>1</dd>" in page


def test_without_prices_nothing_is_priced(tmp_path: Path) -> None:
    outcome = run_round(blocked(), RoundParams(solve=SolveParams(time_limit=5, workers=1)))
    assert outcome.prices is None and "price of every rule" not in outcome.summary()
    write_outcome(outcome, tmp_path)
    assert json.loads((tmp_path / "kpis.json").read_text())["prices"] is None
    assert 'id="prices-section"' not in report_html(ReportInputs.from_folder(tmp_path))


def test_cosource_solve_prices_prints_a_line_per_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "round.json"
    save_round(blocked(), path)
    out = tmp_path / "out"
    code = main(["solve", str(path), "--out", str(out), "--time-limit", "4", "--prices", "--quiet"])
    assert code == 0
    assert f"{BUDGET} costs 1 placement" in capsys.readouterr().out
    assert json.loads((out / "kpis.json").read_text())["prices"]["rules"]


@pytest.mark.parametrize(
    ("price", "sentence"),
    [
        (
            RulePrice("k", "the age policy", None, Gain(11.6, 3.0, 0.031), Gain(12, 3.2, 0.03)),
            "the age policy costs 12 placements and 3.0% of the score (+3.2 points) "
            "(re-solved without it; the linear relaxation said 11.6 placements and 3.1% of "
            "the score (+3.0 points))",
        ),
        (
            RulePrice("k", "the pool", 0.5, Gain(0.0, 1.5, 0.01)),
            "the pool costs about no placement but 1.0% of the score (+1.5 points) "
            "(linear relaxation)",
        ),
        (
            RulePrice("k", "the pins", None, Gain(0, 0, 0)),
            "the pins costs nothing in the linear relaxation",
        ),
        (RulePrice("k", "the pins", None, None), "the pins: not priced in the time given"),
        (
            RulePrice("k", "the budget", 2.0, Gain(53.4, 0.3, 0.001), None, 10.0, False),
            "the budget costs at least about 53.4 placements and 0.1% of the score (+0.3 "
            "points) (linear relaxation, cut by its time limit)",
        ),
    ],
)
def test_price_sentences(price: RulePrice, sentence: str) -> None:
    assert price_sentence(price) == sentence


def test_a_negative_breadth_bonus_is_refused_with_one_line_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "round.json"
    save_round(blocked(), path)
    document = json.loads(path.read_text())
    document["policy"]["breadth_bonus"] = -1
    path.write_text(json.dumps(document))
    out = tmp_path / "out"
    assert main(["solve", str(path), "--out", str(out), "--prices", "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == (
        f"error: {path}: policy, field 'breadth_bonus': Input should be greater than or equal to 0"
    )
    assert not out.exists()
