"""Result tables and the summary text, on the pilot round with a hand-picked assignment."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.compile import CompiledRound, compile_round
from matcher.evaluator import evaluate
from matcher.explain import explain_unplaced
from matcher.models import Round
from matcher.report import placements_frame, summary_text, unplaced_frame
from matcher.roundio import load_round
from tests.factories import PILOT

CHOSEN = [("ann", "coop-finance"), ("chloe", "city-data"), ("els", "insurer-coaching")]


def _pilot_with_chosen() -> tuple[Round, CompiledRound, npt.NDArray[np.int64]]:
    """The pilot round, compiled, and the edges of :data:`CHOSEN`."""
    round_ = load_round(PILOT)
    compiled = compile_round(round_)
    a = compiled.arrays
    edges = compiled.edge_index(
        np.array([a.talent_ids.index(t) for t, _ in CHOSEN]),
        np.array([a.package_ids.index(p) for _, p in CHOSEN]),
    )
    return round_, compiled, edges


def test_result_tables_and_summary() -> None:
    round_, compiled, edges = _pilot_with_chosen()
    evaluation = evaluate(round_, compiled, CHOSEN)
    reasons = explain_unplaced(compiled, edges)
    placements = placements_frame(compiled, edges)
    assert list(zip(placements.talent, placements.package, strict=True)) == CHOSEN
    ann = placements.iloc[0]
    assert (ann.lender, ann.host, ann.host_fee, ann.topup) == ("bank", "coop", 4500, 3700)
    assert ann.score == round(float(compiled.score[edges[0]]), 4)

    unplaced = unplaced_frame(reasons)
    by_talent = dict(zip(unplaced.talent, unplaced.reason, strict=True))
    # bart, dirk and femke have no eligible package at all
    assert by_talent == {
        "bart": "no_eligible_package",
        "dirk": "no_eligible_package",
        "femke": "no_eligible_package",
    }
    femke = unplaced[unplaced.talent == "femke"].iloc[0]
    assert femke.counts.startswith("age:5")

    assert evaluation.feasible
    assert evaluation.objective.placements == 3
    assert evaluation.kpis.placement_rate == 0.5

    text = summary_text(compiled, edges, evaluation, reasons)
    assert "placed 3 of 6 talents (50.0%), 3 of 6 seats filled (50.0%)" in text
    assert "learn something they want   33.3%" in text
    assert "feasible (checked by the evaluator)" in text
    assert "why 3 talents were not placed:" in text
    assert "        3  no eligible package" in text


def test_summary_names_blocking_pairs_of_an_unstable_matching() -> None:
    from matcher.preferences import build_preferences
    from matcher.stability import audit_matching, stability_kpis
    from tests.factories import make_round, package, talent

    # a and p prefer each other, yet a is placed on q and b on p: (a, p) blocks
    round_ = make_round(
        [talent("a", preferences=["p", "q"]), talent("b", preferences=["p", "q"])],
        [package("p", ranking=["a", "b"]), package("q", ranking=["a", "b"])],
    )
    compiled = compile_round(round_)
    edges = compiled.edge_index(np.array([0, 1]), np.array([1, 0]))
    evaluation = evaluate(round_, compiled, [("a", "q"), ("b", "p")])
    preferences = build_preferences(compiled)
    stability = stability_kpis(preferences, edges)
    text = summary_text(compiled, edges, evaluation, [], stability=stability)
    assert "blocking pairs 1 (1 talents, 1 packages would rather be together" in text
    audit = audit_matching(preferences, edges, with_pairs=True)
    assert audit.pairs is not None
    blocking = placements_frame(compiled, audit.pairs)
    assert list(zip(blocking.talent, blocking.package, strict=True)) == [("a", "p")]
    assert stability.blocking_pairs == 1


def test_tables_carry_names_beside_ids_and_the_detail() -> None:
    round_, compiled, edges = _pilot_with_chosen()
    placements = placements_frame(compiled, edges, round_)
    # the columns of old first, then the names, dates and FTE
    assert list(placements.columns[:5]) == ["talent", "package", "lender", "host", "score"]
    assert list(placements.columns[-6:]) == [
        "package_title",
        "lender_name",
        "host_name",
        "start",
        "end",
        "fte",
    ]
    ann = placements.iloc[0]
    assert (ann.package_title, ann.lender_name, ann.host_name) == (
        "Finance lead for the solar cooperative",
        "Northsea Bank",
        "Solar Coop",
    )
    assert (ann.start, ann.end, ann.fte) == ("2027-03-01", "2028-02-29", 1.0)

    unplaced = unplaced_frame(explain_unplaced(compiled, edges, round_), round_)
    assert list(unplaced.columns[:4]) == ["talent", "reason", "explanation", "counts"]
    femke = unplaced[unplaced.talent == "femke"].iloc[0]
    assert (femke.lender, femke.lender_name, femke.package) == ("bank", "Northsea Bank", "")
    assert femke.detail == (
        "no package passes every rule; packages by the first rule they fail: age 5"
    )


def test_unplaced_table_names_who_took_the_seat() -> None:
    from tests.factories import make_round, org, package, talent

    round_ = make_round(
        [talent("s", strengths={"audit": 5}), talent("w", strengths={"audit": 3})],
        [package("p", title="Audit lead", required={"audit": 3}, desired={})],
        [org("lend", name="Bank"), org("host", name="City")],
    )
    compiled = compile_round(round_)
    reasons = explain_unplaced(compiled, np.array([0]), round_)
    row = unplaced_frame(reasons, round_).iloc[0]
    assert (row.talent, row.reason, row.counts) == ("w", "outcompeted", "outcompeted:1")
    assert row.explanation == "its seats went to better-scored talents"
    assert f"its seat went to 's' (score {compiled.score[0]:.3f})" in row.detail
    assert (row.package, row.package_title, row.host, row.host_name) == (
        "p",
        "Audit lead",
        "host",
        "City",
    )
    assert (row.lender, row.lender_name) == ("lend", "Bank")
    assert row.score == round(float(compiled.score[1]), 4)
