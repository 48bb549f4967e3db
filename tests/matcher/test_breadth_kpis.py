"""The network breadth KPIs: distinct lender-host links, and those new against the previous
round's placements, on hand-built rounds."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from matcher.compile import CompiledRound, compile_round
from matcher.evaluator import evaluate
from matcher.models import Policy, Round
from matcher.report import summary_text
from tests.factories import make_round, org, package, talent, with_pairs


def edges(compiled: CompiledRound, pairs: list[tuple[str, str]]) -> npt.NDArray[np.int64]:
    a = compiled.arrays
    t = np.array([a.talent_ids.index(x) for x, _ in pairs], dtype=np.int64)
    p = np.array([a.package_ids.index(y) for _, y in pairs], dtype=np.int64)
    return compiled.edge_index(t, p)


def network() -> Round:
    """Two lenders (three talents) and two hosts (three one-seat packages)."""
    orgs = [org("l1", role="lender"), org("l2", role="lender")]
    orgs += [org("h1", role="host"), org("h2", role="host")]
    talents = [talent("a", lender="l1"), talent("b", lender="l1"), talent("c", lender="l2")]
    packages = [package("p1", host="h1"), package("p2", host="h2"), package("p3", host="h1")]
    return make_round(talents, packages, orgs)


def test_links_count_distinct_lender_host_pairs_without_a_previous_round() -> None:
    round_ = network()
    compiled = compile_round(round_)
    # a and c both go to h1 (two links: l1-h1, l2-h1), b to h2 (l1-h2)
    verdict = evaluate(round_, compiled, [("a", "p1"), ("b", "p2"), ("c", "p3")])
    assert verdict.kpis.links == 3
    assert verdict.kpis.new_links is None and verdict.kpis.new_link_share is None
    # two placements of one lender at one host make one link
    verdict = evaluate(round_, compiled, [("a", "p1"), ("b", "p3")])
    assert verdict.kpis.links == 1
    text = summary_text(compiled, edges(compiled, [("a", "p1"), ("b", "p3")]), verdict, [])
    # without previous placements the summary names none (kpis.json holds null)
    assert "lender-host links               1\n" in text and "previous" not in text


def test_new_links_are_those_no_previous_placement_made() -> None:
    # the previous round placed a talent of l1 at h1 (whatever the talent and status)
    round_ = with_pairs(network(), previous=[("b", "p3", "proposed")])
    compiled = compile_round(round_)
    verdict = evaluate(round_, compiled, [("a", "p1"), ("b", "p2"), ("c", "p3")])
    # l1-h1 was made before; l1-h2 and l2-h1 are new
    assert verdict.kpis.links == 3
    assert verdict.kpis.new_links == 2
    assert verdict.kpis.new_link_share == pytest.approx(2 / 3)
    pairs = [("a", "p1"), ("b", "p2"), ("c", "p3")]
    text = summary_text(compiled, edges(compiled, pairs), verdict, [])
    assert "(2 new against the previous round's placements, 66.7%)" in text


def test_the_breadth_bonus_enters_the_evaluators_objective_per_link() -> None:
    round_ = network().model_copy(update={"policy": Policy(breadth_bonus=0.25)})
    compiled = compile_round(round_)
    one = evaluate(round_, compiled, [("a", "p1"), ("b", "p3")])
    three = evaluate(round_, compiled, [("a", "p1"), ("b", "p2"), ("c", "p3")])
    assert one.objective.bonus == 250
    assert three.objective.bonus == 750
    assert three.objective.secondary == three.objective.score + 750
