"""Synthetic and stable suites: one small instance each, their checks, and the dispatchers."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from api.cli import main as cosource
from benchmarks import cli as bench_cli
from benchmarks import stable_suite, synthetic
from matcher.compile import CompiledRound, compile_round
from matcher.generator import generate_round
from matcher.models import Round
from matcher.preferences import Preferences, Side
from solvers.deferred_acceptance import deferred_acceptance
from solvers.registry import solve
from solvers.result import Result, Status


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


# --- synthetic ------------------------------------------------------------------------------


def test_synthetic_smoke_writes_checked_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--sizes", "200x60", "--time-limit", "3", "--seeds", "1"]
    assert synthetic.main([*argv, "--out", str(tmp_path), "--commit", "abc123"]) == 0

    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.strip().startswith("200x60")]
    assert [line.split()[2] for line in table] == ["ours", "greedy", "highs"]
    assert all(line.endswith("ok") for line in table)

    rows = read_rows(tmp_path / "runs.csv")
    assert list(rows[0]) == list(synthetic.CSV_COLUMNS)
    ours, greedy, highs = rows
    assert (ours["solver"], greedy["solver"], highs["solver"]) == ("ours", "greedy", "highs")
    for row in rows:
        assert (row["talents"], row["packages"], row["seed"], row["check"]) == (
            "200",
            "60",
            "1",
            "ok",
        )
        assert int(row["placements"]) > 0
        assert float(row["placement_rate"]) == pytest.approx(int(row["placements"]) / 200)
        assert 0 <= float(row["lender_rate_min"]) <= float(row["lender_rate_max"]) <= 1
        assert float(row["peak_mb"]) > 0
    # the optimizer is never worse than greedy on the same round; each peer's row carries
    # ours / that peer
    assert int(ours["objective"]) >= int(greedy["objective"])
    for peer in (greedy, highs):
        assert float(peer["ratio_objective"]) == pytest.approx(
            int(ours["objective"]) / int(peer["objective"]), rel=1e-5
        )
    assert ours["ratio_objective"] == "" and greedy["gap_pct"] == ""
    # HiGHS closes a round this small: its bound is its value, which ours cannot beat
    assert highs["status"] == "optimal" and float(highs["gap_pct"]) == 0
    assert int(ours["objective"]) <= int(highs["objective"])
    assert ours["edges"] == greedy["edges"] == highs["edges"] and ours["top_k"] == ""

    document = json.loads((tmp_path / "results.json").read_text())
    assert document["commit"] == "abc123"
    assert document["time_limit"] == 3.0
    assert document["objective"] == "weighted"
    assert document["machine"]["nproc"] >= 1
    assert document["policy"]["subsidy_pool_per_talent"] == synthetic.SUBSIDY_PER_TALENT
    assert document["solvers"] == ["ours", "greedy", "highs"]
    assert [run["solver"] for run in document["runs"]] == ["ours", "greedy", "highs"]
    assert document["runs"][0]["objective"] == int(ours["objective"])


def test_suite_policy_turns_every_constraint_on() -> None:
    small, large = synthetic.suite_policy(2_000), synthetic.suite_policy(20_000)
    assert small.subsidy_pool == 40_000 and small.subsidy_share > 0
    assert small.min_per_lender > 0 and small.max_host_share < 1
    assert small.fairness == "soft" and small.objective == "weighted"
    assert (small.top_k, large.top_k) == (None, 50)


@pytest.fixture(scope="module")
def small_round() -> tuple[Round, CompiledRound, Result]:
    round_ = generate_round(200, 60, seed=1, policy=synthetic.suite_policy(200))
    compiled = compile_round(round_)
    return round_, compiled, solve(compiled, round_, "greedy")


def test_judge_accepts_greedy_and_flags_broken_results(
    small_round: tuple[Round, CompiledRound, Result],
) -> None:
    round_, compiled, greedy = small_round
    assert synthetic.judge(round_, compiled, greedy)[1] == "ok"

    every_edge = dataclasses.replace(greedy, edges=np.arange(compiled.n_edges, dtype=np.int64))
    check = synthetic.judge(round_, compiled, every_edge)[1]
    assert check.startswith("INVALID") and "seats" in check

    assert greedy.objective is not None
    wrong = dataclasses.replace(
        greedy, objective=dataclasses.replace(greedy.objective, score=greedy.objective.score + 1)
    )
    assert synthetic.judge(round_, compiled, wrong)[1].startswith("MISMATCH")


@pytest.mark.parametrize("text", ["200", "0x5", "ax5", "2x3x4"])
def test_bad_sizes_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="not understood"):
        synthetic.parse_size(text)


@pytest.mark.parametrize(
    ("solvers", "message"),
    [
        (("ours", "simplex"), "unknown solver 'simplex'"),
        (("greedy", "ours"), "start with 'ours'"),
        (("ours", "highs", "highs"), "each solver once"),
    ],
)
def test_bad_solver_lists_are_rejected(solvers: tuple[str, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        synthetic.SuiteConfig(sizes=((10, 5),), seeds=(1,), time_limit=1, solvers=solvers)


def test_a_peer_without_a_solution_is_reported_not_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def without_solution(
        compiled: CompiledRound, round_: Round, method: str, params: object
    ) -> Result:
        result = solve(compiled, round_, "greedy")
        if method != "highs":
            return result
        empty = np.zeros(0, dtype=np.int64)
        return dataclasses.replace(result, status=Status.UNKNOWN, edges=empty, objective=None)

    monkeypatch.setattr(synthetic, "solve", without_solution)
    config = synthetic.SuiteConfig(sizes=((60, 20),), seeds=(1,), time_limit=1, isolate=False)
    ours, greedy, highs = synthetic.run_size(60, 20, 1, config)
    assert (highs.check, highs.failed, highs.ratio_objective) == ("no solution", False, None)
    assert (ours.check, greedy.check) == ("ok", "ok") and greedy.ratio_objective == 1.0


# --- stable ---------------------------------------------------------------------------------


def test_stable_smoke_agrees_with_the_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--random", "300x40", "--rounds", "300x40", "--repeat", "1", "--seeds", "2"]
    assert stable_suite.main([*argv, "--out", str(tmp_path), "--commit", "abc123"]) == 0
    assert "random-300x40" in capsys.readouterr().out

    rows = read_rows(tmp_path / "runs.csv")
    assert list(rows[0]) == list(stable_suite.CSV_COLUMNS)
    assert [(r["instance"], r["side"]) for r in rows] == [
        ("random-300x40", "talents"),
        ("random-300x40", "packages"),
        ("round-300x40", "talents"),
        ("round-300x40", "packages"),
    ]
    for row in rows:
        assert (row["same"], row["blocking_pairs"], row["unacceptable"]) == ("True", "0", "0")
        assert row["check"] == "ok" and row["seed"] == "2"
    random_rows = rows[:2]
    # complete lists, 8 seats per package: every talent is placed, whoever proposes
    assert all(r["seats"] == "320" and r["placed"] == "300" for r in random_rows)
    assert all(r["acceptable_edges"] == str(300 * 40) for r in random_rows)

    document = json.loads((tmp_path / "results.json").read_text())
    assert document["commit"] == "abc123" and document["suite"] == "stable"
    assert document["random"] == ["300x40"] and len(document["runs"]) == 4


def test_stable_suite_fails_on_a_wrong_matching(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def drops_one(prefs: Preferences, side: Side = "talents") -> npt.NDArray[np.int64]:
        return deferred_acceptance(prefs, side)[1:]

    monkeypatch.setattr(stable_suite, "deferred_acceptance", drops_one)
    assert stable_suite.main(["--random", "60x6", "--rounds", "", "--repeat", "1"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: random-60x6 seed 1, talents: FAILED 59 vs 60 placements" in out
    assert "blocking pairs" in out


def test_textbook_references_on_a_hand_instance() -> None:
    # talents 0 and 1 both prefer package 0 (one seat); package 0 prefers talent 1
    prefs = Preferences.from_keys(
        talent=np.array([0, 0, 1, 1]),
        package=np.array([0, 1, 0, 1]),
        talent_key=[0, 1, 0, 1],
        package_key=[1, 0, 0, 1],
        seats=np.array([1, 1]),
        n_talents=2,
    )
    # talent 1 gets package 0 either way; package 1 prefers talent 0, who is left with it
    expected = [1, 2]
    assert stable_suite.textbook_talent_proposing(prefs).tolist() == expected
    assert stable_suite.textbook_package_proposing(prefs).tolist() == expected


# --- dispatchers ----------------------------------------------------------------------------


def test_the_suites_runner_passes_arguments_through(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--random", "50x5", "--rounds", "", "--repeat", "1", "--commit", "x"]
    assert bench_cli.main(["stable", *argv]) == 0
    out = capsys.readouterr().out
    assert "random-50x5" in out
    assert out.startswith("commit x, seeds 1, DA best of 1")
    assert out.rstrip().endswith("s in all")


def test_suite_help_is_the_runners_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        bench_cli.main(["synthetic", "--help"])
    assert exit_.value.code == 0
    assert "python -m benchmarks.synthetic" in capsys.readouterr().out


def test_the_command_line_has_no_bench_command() -> None:
    with pytest.raises(SystemExit) as exit_:
        cosource(["bench", "stable"])
    assert exit_.value.code == 2


def test_bad_suite_arguments_fail_with_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_cli.main(["synthetic", "--sizes", "big"]) == 2
    assert "size 'big' not understood" in capsys.readouterr().err
    with pytest.raises(KeyError, match="unknown suite"):
        bench_cli.run("nope", [])


def test_other_commands_still_reject_unknown_arguments() -> None:
    with pytest.raises(SystemExit) as exit_:
        cosource(["check", "round.json", "--bogus"])
    assert exit_.value.code == 2
