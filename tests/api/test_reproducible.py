"""Reproducible runs: with one worker the same round and seed give the same result and the
same files, byte for byte (see ``solvers/work.py``)."""

from __future__ import annotations

from pathlib import Path

from api.pipeline import RoundParams, run_round, write_outcome
from matcher.compile import compile_round
from matcher.generator import generate_round
from solvers.auto.options import AutoOptions, RelaxationOptions
from solvers.auto.solve import solve_auto
from solvers.result import SolveParams
from tests.factories import EVERY_RULE


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_one_worker_gives_the_same_result_and_files_run_after_run(tmp_path: Path) -> None:
    # large enough for a core and a neighbourhood search on it
    round_ = generate_round(600, 600, seed=3, policy=EVERY_RULE)
    # work budgets of a 2 s run, and a wall-clock limit with room for a loaded machine: the
    # clock must not cut a phase (that would make the run not deterministic)
    solve = SolveParams(time_limit=30.0, workers=1, seed=4, work_seconds=2.0)
    params = RoundParams("auto", solve)
    outcomes = [run_round(round_, params) for _ in range(2)]
    first, second = (o.result for o in outcomes)
    assert first.deterministic and second.deterministic
    assert first.objective is not None and first.placements > 0
    # the search ran: the Lagrangian phase and the neighbourhood search on the core
    assert any(n.startswith("neighbourhood search:") for n in first.notes)
    assert first.edges.tolist() == second.edges.tolist()
    assert first.objective == second.objective and first.notes == second.notes
    for k, outcome in enumerate(outcomes):
        write_outcome(outcome, tmp_path / str(k))
    files = _files(tmp_path / "0")
    assert set(files) == {"result.json", "kpis.json", "placements.csv", "unplaced.csv"}
    assert files == _files(tmp_path / "1")
    assert b'"deterministic": true' in files["result.json"]


def test_two_workers_are_not_deterministic(tmp_path: Path) -> None:
    round_ = generate_round(500, seed=3, policy=EVERY_RULE)
    params = RoundParams("auto", SolveParams(time_limit=1.0, workers=2, seed=4))
    outcome = run_round(round_, params)
    assert outcome.solved and not outcome.result.deterministic
    write_outcome(outcome, tmp_path)
    text = (tmp_path / "result.json").read_text()
    assert '"deterministic": false' in text and '"solve_seconds": null' not in text


def test_methods_that_do_not_search_are_deterministic_and_cpsat_reproducible() -> None:
    round_ = generate_round(120, 40, seed=2, policy=EVERY_RULE)
    for method in ("greedy", "da", "da-packages"):
        params = RoundParams(method, SolveParams(time_limit=2.0, workers=2))
        assert run_round(round_, params).result.deterministic, method
    params = RoundParams("cpsat", SolveParams(time_limit=1.0, workers=1, seed=3))
    first, second = (run_round(round_, params).result for _ in range(2))
    assert first.deterministic and second.deterministic
    assert first.edges.tolist() == second.edges.tolist()


def test_a_run_the_clock_ends_is_not_deterministic() -> None:
    round_ = generate_round(600, 600, seed=3, policy=EVERY_RULE)
    # a stop criterion that ends the deadline at the first report, as the clock would
    solve = SolveParams(time_limit=2.0, workers=1, stop=lambda progress: True)
    result = run_round(round_, RoundParams("auto", solve)).result
    assert result.status.has_solution and not result.deterministic
    assert any("may differ run to run" in note for note in result.notes)


def test_the_highs_phase_of_a_reproducible_run_is_bounded_by_nodes() -> None:
    round_ = generate_round(60, 15, seed=5)
    compiled = compile_round(round_)
    options = AutoOptions(relax=RelaxationOptions(lagrangian=False))
    params = SolveParams(time_limit=5, workers=1, seed=2)
    first, second = (solve_auto(compiled, round_, params, options) for _ in range(2))
    assert first.deterministic and second.deterministic
    assert any(note.startswith("HiGHS phase: ") for note in first.notes)
    assert first.edges.tolist() == second.edges.tolist() and first.notes == second.notes
