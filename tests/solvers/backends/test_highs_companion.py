"""HiGHS in its own process: its answer is the MIP's (checked against CP-SAT's proven
optimum), starts from the incumbent given, says nothing when the process dies, passes its
solutions on while it searches, and joins a CP-SAT solve whose result passes the
evaluator."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from matcher.compile import compile_round
from matcher.generator import generate_round
from matcher.models import Policy
from solvers.auto.options import AutoOptions, HighsOptions
from solvers.auto.solve import solve_auto
from solvers.backends import highs_companion
from solvers.backends.highs_companion import FOUND, HighsCompanion, Mailbox
from solvers.checks import objective_of, violated_groups
from solvers.greedy import greedy_assign, greedy_order
from solvers.lagrange import combined
from solvers.model.build import build_spec, spec_hint
from solvers.problem import build_problem
from solvers.result import SolveParams, Status
from tests.checks import check, full_round_problem, proven_optimum


@pytest.mark.parametrize("seed", [1, 2])
def test_its_answer_is_the_proven_optimum(seed: int) -> None:
    problem = full_round_problem(seed, "weighted")
    spec = build_spec(problem)
    start, _ = greedy_assign(problem, greedy_order(problem))
    run = HighsCompanion(spec, spec_hint(problem, spec, start), 20.0).collect()
    assert run is not None
    assert run.proven, run.message
    assert run.chosen is not None
    edges = np.flatnonzero(run.chosen)
    assert not violated_groups(problem, edges)
    optimum = proven_optimum(problem)
    assert combined(objective_of(problem, edges), spec.multiplier) == optimum
    assert run.bound is not None and run.bound >= optimum


def test_without_time_it_still_returns_the_start_it_was_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the process gets its start-up beyond the limit (COLLECT_SECONDS); on a machine loaded
    # by other work, Python and SciPy may take longer than that to start, which is not
    # what this test is about
    monkeypatch.setattr(highs_companion, "COLLECT_SECONDS", 60.0)
    policy = Policy(subsidy_share=0.3, subsidy_pool=20_000.0, objective="weighted")
    round_ = generate_round(300, 75, seed=3, policy=policy)
    problem = build_problem(compile_round(round_), round_)
    spec = build_spec(problem)
    start, _ = greedy_assign(problem, greedy_order(problem))
    # HiGHS takes the start before it searches: even with no time it knows that solution
    run = HighsCompanion(spec, spec_hint(problem, spec, start), 0.0).collect()
    assert run is not None
    assert not run.proven
    assert run.chosen is not None
    assert not violated_groups(problem, np.flatnonzero(run.chosen))
    found = objective_of(problem, np.flatnonzero(run.chosen))
    assert found.key() >= objective_of(problem, np.flatnonzero(start)).key()


def test_a_process_that_is_ended_gives_no_answer() -> None:
    problem = full_round_problem(1, "weighted")
    spec = build_spec(problem)
    companion = HighsCompanion(spec, None, 30.0)
    companion.close()
    assert companion.collect() is None


def test_it_joins_a_cp_sat_solve_whose_result_passes_the_evaluator() -> None:
    policy = Policy(subsidy_share=0.3, subsidy_pool=20_000.0, objective="weighted")
    round_ = generate_round(200, 50, seed=4, policy=policy)
    compiled = compile_round(round_)
    # every model is the companion's size here, and 3 s are enough for it
    options = AutoOptions(highs=HighsOptions(max_vars=0, companion_min_seconds=1.0))
    result = solve_auto(compiled, round_, SolveParams(time_limit=4, workers=2), options)
    check(result, round_, compiled)
    assert result.status.has_solution
    assert any(note.startswith("HiGHS searched beside CP-SAT") for note in result.notes)
    # its answer joins unless CP-SAT proved the optimum first (the process is then ended)
    joined = any(note.startswith("HiGHS beside CP-SAT:") for note in result.notes)
    assert joined or result.status == Status.OPTIMAL


def test_the_mailbox_hands_each_solution_over_once(tmp_path: Path) -> None:
    writer, reader = Mailbox(tmp_path), Mailbox(tmp_path)
    assert reader.fetch(FOUND) is None
    writer.post(FOUND, [1.0, 0.0, 1.0])
    first = reader.fetch(FOUND)
    assert first is not None
    assert first.tolist() == [1.0, 0.0, 1.0]
    assert reader.fetch(FOUND) is None
    writer.post(FOUND, [0.0, 1.0, 1.0])
    second = reader.fetch(FOUND)
    assert second is not None
    assert second.tolist() == [0.0, 1.0, 1.0]
    # nothing is left beside the file but the file
    assert [path.name for path in tmp_path.iterdir()] == [FOUND]


def test_it_passes_on_its_solutions_while_it_searches() -> None:
    problem = full_round_problem(2, "weighted")
    spec = build_spec(problem)
    start, _ = greedy_assign(problem, greedy_order(problem))
    before = objective_of(problem, np.flatnonzero(start))
    companion = HighsCompanion(spec, spec_hint(problem, spec, start), 20.0)
    try:
        found: list[np.ndarray] = []
        deadline = time.perf_counter() + 25.0
        # the start is its first improving solution, then whatever it finds
        while time.perf_counter() < deadline and (companion.running() or not found):
            mask = companion.found()
            if mask is not None:
                found.append(mask)
            elif not companion.running():
                break
            time.sleep(0.05)
        run = companion.collect()
    finally:
        companion.close()
    assert found
    keys = []
    for mask in found:
        edges = np.flatnonzero(mask)
        assert not violated_groups(problem, edges)
        keys.append(objective_of(problem, edges).key())
    assert keys[0] >= before.key()
    assert keys == sorted(keys)
    assert run is not None and run.chosen is not None
    assert objective_of(problem, np.flatnonzero(run.chosen)).key() >= keys[-1]
    # once ended it has nothing more to give, and takes nothing
    assert companion.found() is None
    companion.offer(spec_hint(problem, spec, start))
