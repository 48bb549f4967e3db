"""GAP benchmark: published solutions, the peers and the engine as a peer, and the runner."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from benchmarks import bench_gap
from benchmarks.bench_gap import check_run, main
from benchmarks.gap import (
    KNOWN_WORSE_SOLUTIONS,
    instance_of_solution_file,
    read_solution,
    solution_path,
)
from benchmarks.gap_peers import PeerResult, solve_cpsat, solve_greedy, solve_highs, solve_ours
from solvers.gap.instance import GapInstance, Sense, evaluate_assignment
from solvers.gap.read import BestKnown, all_instance_names, load_instance, read_best_known
from tests.solvers.gap.instances import two_agents_three_jobs


@pytest.fixture(scope="module")
def best_known(data_dir: Path) -> dict[tuple[str, Sense], BestKnown]:
    return read_best_known(data_dir)


def tiny() -> GapInstance:
    """Two agents, three jobs; agent 0 holds 5, agent 1 holds 4."""
    return GapInstance(
        name="tiny",
        m=2,
        n=3,
        cost=np.array([[1, 2, 3], [4, 5, 6]]),
        resource=np.array([[2, 2, 2], [3, 3, 3]]),
        capacity=np.array([5, 4]),
    )


# --- published solutions -------------------------------------------------------------------


def test_solution_of_wrong_length_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "tiny_solution.txt"
    path.write_text("0 1")
    with pytest.raises(ValueError, match="2 agents, tiny has n = 3"):
        read_solution(path, tiny())


@pytest.mark.parametrize("name", all_instance_names())
def test_published_solution_is_feasible_and_scores_best_known(
    data_dir: Path, best_known: dict[tuple[str, Sense], BestKnown], name: str
) -> None:
    instance = load_instance(name, data_dir)
    path = solution_path(name, data_dir)
    assert instance_of_solution_file(path) == name
    evaluation = evaluate_assignment(instance, read_solution(path, instance))
    assert evaluation.feasible
    best = best_known[(name, Sense.MIN)].best_known
    if name in KNOWN_WORSE_SOLUTIONS:
        assert evaluation.cost > best
    else:
        assert evaluation.cost == best


def test_every_solution_file_belongs_to_an_instance(data_dir: Path) -> None:
    files = sorted((data_dir / "solutions").glob("*/*"))
    assert len(files) == len(all_instance_names())
    assert {instance_of_solution_file(path) for path in files} == set(all_instance_names())


def test_check_solutions_mode_reports_the_nine_documented_files(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check-solutions", "--data", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert out.count("documented:") == 9
    assert "102 solution files: 93 at best-known, 9 documented as worse, 0 failures" in out


# --- peers ---------------------------------------------------------------------------------


def test_every_peer_reports_an_infeasible_instance() -> None:
    # three jobs of size 3 cannot share two agents of capacity 4
    instance = GapInstance(
        "crowded", 2, 3, np.ones((2, 3), int), np.full((2, 3), 3), np.array([4, 4])
    )
    for solve in (solve_cpsat, solve_highs, solve_greedy):
        result = solve(instance, Sense.MIN, 2.0, 1)
        assert result.objective is None and result.agents is None
        assert result.note
    assert solve_cpsat(instance, Sense.MIN, 2.0, 1).note == "proven infeasible"
    assert solve_highs(instance, Sense.MIN, 2.0, 1).note == "proven infeasible"


@pytest.mark.parametrize("name", ["gap1-1", "gap12-5", "c05100", "d05100"])
@pytest.mark.parametrize("sense", list(Sense))
def test_greedy_is_feasible_or_reports_infeasible(data_dir: Path, name: str, sense: Sense) -> None:
    instance = load_instance(name, data_dir)
    result = solve_greedy(instance, sense, 1.0, 1)
    if result.agents is None:
        assert result.objective is None and result.note
    else:
        cost, feasible, _ = evaluate_assignment(instance, result.agents)
        assert feasible and cost == result.objective


def test_peers_agree_on_tiny() -> None:
    # agent 0 has room for two jobs, agent 1 for one: every such split costs 9
    for solve in (solve_cpsat, solve_highs):
        result = solve(tiny(), Sense.MIN, 2.0, 1)
        assert (result.objective, result.proven_optimal) == (9, True)
        assert result.bound == pytest.approx(9)


@pytest.mark.parametrize(("sense", "best"), [(Sense.MIN, 9), (Sense.MAX, 11)])
def test_the_engine_solves_a_tiny_instance_to_its_optimum(sense: Sense, best: int) -> None:
    # the optima by enumeration of the 8 assignments
    result = solve_ours(two_agents_three_jobs(), sense, 5.0, 0)
    assert result.proven_optimal
    assert result.agents is not None
    evaluation = evaluate_assignment(two_agents_three_jobs(), result.agents)
    assert evaluation.feasible
    assert result.objective == evaluation.cost == best
    assert result.bound == best


@pytest.mark.parametrize(("sense", "best"), [(Sense.MIN, 261), (Sense.MAX, 336)])
def test_the_engine_reaches_the_known_optimum_of_gap1_1(
    data_dir: Path, sense: Sense, best: int
) -> None:
    instance = load_instance("gap1-1", data_dir)
    result = solve_ours(instance, sense, 10.0, 0)
    assert result.objective == best
    assert result.proven_optimal
    assert result.agents is not None
    assert evaluate_assignment(instance, result.agents).cost == best


# --- runner --------------------------------------------------------------------------------


def test_runner_flags_assignments_the_checker_rejects(
    data_dir: Path, best_known: dict[tuple[str, Sense], BestKnown]
) -> None:
    instance = load_instance("gap1-1", data_dir)
    best = best_known[("gap1-1", Sense.MIN)]
    good = read_solution(solution_path("gap1-1", data_dir), instance)
    run = check_run(instance, Sense.MIN, best, PeerResult("x", 261, 261.0, True, 0.1, good), 1)
    assert (run.check, run.objective, run.gap_pct, run.failed) == ("ok", 261, 0.0, False)

    lying = PeerResult("x", 250, None, False, 0.1, good)
    assert check_run(instance, Sense.MIN, best, lying, 1).check.startswith("INVALID objective")

    crowded = np.zeros(instance.n, dtype=np.int64)
    overloaded = PeerResult("x", int(instance.cost[0].sum()), None, False, 0.1, crowded)
    run = check_run(instance, Sense.MIN, best, overloaded, 1)
    assert run.failed and run.objective is None and run.gap_pct == float("inf")

    worse = good.copy()
    worse[0] = (worse[0] + 1) % instance.m
    cost, feasible, _ = evaluate_assignment(instance, worse)
    if feasible and cost > 261:
        claim = PeerResult("x", cost, float(cost), True, 0.1, worse)
        assert check_run(instance, Sense.MIN, best, claim, 1).check.startswith("CONFLICT")


def test_runner_skips_an_unfinished_solver(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unfinished(instance: GapInstance, sense: Sense, time_limit: float, seed: int) -> PeerResult:
        raise NotImplementedError("not yet")

    monkeypatch.setattr(bench_gap, "SOLVERS", {"ours": unfinished, "greedy": solve_greedy})
    argv = ["--instances", "gap1-1", "--solvers", "ours,greedy", "--data", str(data_dir)]
    assert main([*argv, "--time-limit", "1", "--commit", "test"]) == 0
    out = capsys.readouterr().out
    assert out.count("note: skipping ours: not yet") == 1
    assert "no ratios: ours did not run" in out


def test_smoke_run_on_gap1_1(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        *("--instances", "gap1-1", "--sense", "min,max", "--seeds", "1"),
        *("--solvers", "cpsat,highs,greedy", "--time-limit", "2", "--reference", "cpsat"),
        *("--data", str(data_dir), "--out", str(tmp_path), "--commit", "test"),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "gap1-1 (min, m=5, n=15)  best-known 261 (proven)" in out
    assert "gap1-1 (max, m=5, n=15)  best-known 336 (proven)" in out
    rows = re.findall(r"^  (cpsat|highs|greedy) +(\S+) +(\S+) +(\S+) +(\S+) +(yes|no) ", out, re.M)
    assert [row[0] for row in rows] == ["cpsat", "highs", "greedy"] * 2
    assert rows[0][1:] == ("1", "261", "0.00", "261.0", "yes")
    assert rows[3][1:] == ("1", "336", "0.00", "336.0", "yes")
    assert rows[1][2:4] == ("261", "0.00")
    assert rows[4][2:4] == ("336", "0.00")

    with (tmp_path / "runs.csv").open() as handle:
        runs = list(csv.DictReader(handle))
    assert len(runs) == 6
    cpsat = {row["sense"]: row for row in runs if row["solver"] == "cpsat"}
    assert (cpsat["min"]["objective"], cpsat["min"]["proven_optimal"]) == ("261", "True")
    assert (cpsat["max"]["objective"], cpsat["max"]["proven_optimal"]) == ("336", "True")
    greedy = [row for row in runs if row["solver"] == "greedy"]
    assert all(row["check"] in ("ok", "no solution") for row in greedy)

    document = json.loads((tmp_path / "results.json").read_text())
    assert document["commit"] == "test"
    assert document["time_limit"] == 2.0 and document["seeds"] == [1]
    assert document["machine"]["nproc"] >= 1
    assert document["summary"]["cpsat"]["instances_at_best_known"] == 2
    assert set(document["ratios"]) == {"highs", "greedy"}
