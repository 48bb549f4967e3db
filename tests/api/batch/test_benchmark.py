"""Benchmark scenarios: two of the smallest GAP instances beside a generated round in one batch
on the process pool, each instance's assignment scored here from the raw file; the what-if
view between two benchmark scenarios; resuming; bad input named with its scenario and field
while the other scenarios run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from api.batch.pool import ProcessPool
from api.batch.runner import BatchResult, run_batch
from api.batch.spec import BatchFileError, InvalidScenario, Scenario, read_batch
from api.batch.state import STATE_FILE
from api.batch.table import KPI_COLUMNS
from api.batch.tasks import Task
from solvers.gap.read import DATA_ENV
from tests.api.batch.gap_checks import check_benchmark_row
from tests.api.batch.helpers import SMALL, check_outcomes, write_file

GAP11 = {"suite": "gap", "instance": "gap1-1"}
"""The smallest instances of best_known.csv: 5 agents, 15 jobs."""

STUDY = {
    "name": "rounds and instances",
    "defaults": {"time_limit": 2, "workers": 1},
    "scenarios": [
        {"name": "gap-min", "benchmark": GAP11},
        {"name": "gap-max", "benchmark": {"suite": "gap", "instance": "gap1-2", "sense": "max"}},
        {"name": "round", "generate": {**SMALL, "seed": 1}},
        {"name": "gap-other", "base": "gap-min", "benchmark": {**GAP11, "instance": "gap1-3"}},
    ],
}
BENCHMARKS = ("gap-min", "gap-max", "gap-other")
BENCHMARK_ONLY = ("suite", "instance", "sense", "best_known", "gap_to_best_pct")


def _run(path: Path, out: Path) -> BatchResult:
    def backend(tasks: list[Task]) -> tuple[ProcessPool, int]:
        return ProcessPool(2), 2

    return run_batch(read_batch(path), out, backend, say=lambda line: None)


def test_instances_and_a_round_in_one_batch(data_dir: Path, tmp_path: Path) -> None:
    path, out = write_file(tmp_path, STUDY), tmp_path / "out"
    result = _run(path, out)
    assert result.all_solved
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["scenario"]) == ["gap-min", "gap-max", "round", "gap-other"]
    rows = {r["scenario"]: r for r in table.to_dict("records")}
    objectives = {}
    for name in BENCHMARKS:
        row = rows[name]
        assert row["status"] in {"optimal", "feasible"} and row["suite"] == "gap"
        assert (row["method"], row["time_limit"]) == ("auto", 2)
        objectives[name] = check_benchmark_row(out, data_dir, row)
        # the round's KPIs do not apply to an instance: empty, not zero
        assert all(pd.isna(row[column]) for column in KPI_COLUMNS)
    assert (rows["gap-min"]["sense"], rows["gap-max"]["sense"]) == ("min", "max")
    # the round's row has its KPIs, judged by the evaluator, and no benchmark columns
    assert all(pd.isna(rows["round"][column]) for column in BENCHMARK_ONLY)
    check_outcomes(out, [s for s in read_batch(path).valid() if s.name == "round"], table)
    # the what-if view compares the two benchmark scenarios' objectives
    moved = objectives["gap-other"] - objectives["gap-min"]
    summary = (out / "summary.txt").read_text()
    assert f"gap-other vs gap-min (gap instance gap1-3 (min)): objective {moved:+,}" in summary
    assert f"gap1-1: objective {objectives['gap-min']:,}, best known 261" in summary
    page = (out / "report.html").read_text()
    for figure in ("fig-gap-to-best-pct", "fig-placements", "fig-learning-share"):
        assert f'id="{figure}"' in page
    # every scenario is recorded: a rerun runs none again, and starts no pool
    finished = json.loads((out / STATE_FILE).read_text())["finished"]
    assert set(finished) == {"gap-min", "gap-max", "round", "gap-other"}

    def no_backend(tasks: list[Task]) -> tuple[ProcessPool, int]:
        raise AssertionError(f"ran {[t.scenario for t in tasks]} again")

    again = run_batch(read_batch(path), out, no_backend, say=lambda line: None)
    assert again.resumed == 4
    assert pd.read_csv(out / "comparison.csv").equals(table)


def _read(tmp_path: Path, *entries: dict[str, object]) -> list[Scenario | InvalidScenario]:
    good = {"name": "round", "generate": SMALL}
    path = write_file(tmp_path, {"scenarios": [good, *entries]})
    scenarios = list(read_batch(path).scenarios)
    assert isinstance(scenarios[0], Scenario)
    return scenarios[1:]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"name": "x", "benchmark": {"suite": "tsp", "instance": "gap1-1"}},
            "scenario 'x', field 'benchmark.suite': unknown suite 'tsp'; known: gap",
        ),
        ({"name": "x", "benchmark": {"suite": "gap"}}, "scenario 'x', field 'benchmark.instance'"),
        (
            {"name": "x", "benchmark": {**GAP11, "sense": "most"}},
            "scenario 'x', field 'benchmark.sense'",
        ),
        (
            {"name": "x", "benchmark": GAP11, "round": "r.json"},
            "scenario 'x', field 'round': a benchmark scenario solves its instance",
        ),
        (
            {"name": "x", "benchmark": GAP11, "generate": SMALL},
            "scenario 'x', field 'generate': a benchmark scenario solves its instance",
        ),
        (
            {"name": "x", "benchmark": GAP11, "policy": {"min_fit": 0.2}},
            "scenario 'x', field 'policy': a benchmark instance has no policy to change",
        ),
        (
            {"name": "x", "benchmark": GAP11, "scale": {"subsidy_pool": 2}},
            "scenario 'x', field 'scale': a benchmark instance has no budgets to scale",
        ),
        (
            {"name": "x", "benchmark": GAP11, "method": "da"},
            "scenario 'x', field 'method': 'da' does not solve a benchmark instance; give one "
            "of auto, cpsat, highs, greedy",
        ),
        (
            {"name": "x", "base": "round", "benchmark": GAP11},
            "scenario 'x', field 'base': scenario 'round' is a round scenario; a benchmark "
            "scenario's base must be a benchmark scenario",
        ),
    ],
)
def test_a_bad_benchmark_scenario_is_named_with_its_field(
    tmp_path: Path, entry: dict[str, object], message: str
) -> None:
    (bad,) = _read(tmp_path, entry)
    assert isinstance(bad, InvalidScenario)
    assert message in bad.message


def test_a_benchmark_is_no_base_of_a_round_scenario(data_dir: Path, tmp_path: Path) -> None:
    base, child, grandchild = _read(
        tmp_path,
        {"name": "g", "benchmark": GAP11},
        {"name": "r2", "base": "g", "generate": SMALL},
        {"name": "g2", "base": "g", "method": "cpsat"},
    )
    assert isinstance(base, Scenario) and base.benchmark is not None
    assert isinstance(child, InvalidScenario)
    assert child.message == (
        "scenario 'r2', field 'base': scenario 'g' is a benchmark scenario; a round "
        "scenario's base must be a round scenario"
    )
    # without a round of its own, a scenario on a benchmark scenario is one
    assert isinstance(grandchild, Scenario)
    assert (grandchild.benchmark, grandchild.method, grandchild.round) == (
        base.benchmark,
        "cpsat",
        None,
    )


def test_an_unknown_instance_is_named(data_dir: Path, tmp_path: Path) -> None:
    (bad,) = _read(tmp_path, {"name": "x", "benchmark": {**GAP11, "instance": "gap13-1"}})
    assert isinstance(bad, InvalidScenario)
    assert bad.message.startswith(
        "scenario 'x', field 'benchmark.instance': no gap instance 'gap13-1' in best_known.csv"
    )


def test_defaults_name_no_benchmark(tmp_path: Path) -> None:
    path = write_file(tmp_path, {"defaults": {"benchmark": GAP11}, "scenarios": [{"name": "a"}]})
    with pytest.raises(BatchFileError, match=r"field 'defaults\.benchmark': each benchmark"):
        read_batch(path)


def test_without_the_data_folder_the_instances_are_invalid_and_the_round_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-data"
    monkeypatch.setenv(DATA_ENV, str(missing))
    path = write_file(
        tmp_path,
        {
            "defaults": {"time_limit": 2},
            "scenarios": [
                {"name": "round", "generate": SMALL},
                {"name": "gap-a", "benchmark": GAP11},
                {"name": "gap-b", "base": "gap-a", "method": "cpsat"},
            ],
        },
    )
    out = tmp_path / "out"
    result = _run(path, out)
    assert not result.all_solved
    table = pd.read_csv(out / "comparison.csv").set_index("scenario")
    assert table.loc["round", "status"] in {"optimal", "feasible"}
    assert table.loc["gap-a", "status"] == table.loc["gap-b", "status"] == "invalid"
    assert table.loc["gap-a", "error"] == (
        f"scenario 'gap-a', field 'benchmark': the GAP data folder {missing} does not exist "
        f"(shared/benchdata/gap beside the checkout, or the folder ${DATA_ENV} names)"
    )
    assert (
        table.loc["gap-b", "error"] == "scenario 'gap-b', field 'base': scenario 'gap-a' is invalid"
    )
    assert not (out / "scenarios" / "gap-a").exists()


def test_the_gap_example_file_reads_whole(data_dir: Path) -> None:
    example = Path(__file__).parents[3] / "examples" / "batch" / "gap.yaml"
    batch = read_batch(example)
    assert batch.invalid() == []
    by_name = {s.name: s for s in batch.valid()}
    assert by_name["pilot"].benchmark is None and by_name["pilot"].round is not None
    cpsat = by_name["gap-c10100-cpsat"]
    assert cpsat.benchmark == by_name["gap-c10100"].benchmark and cpsat.method == "cpsat"
    assert (cpsat.policy, cpsat.scale, cpsat.time_limit) == ({}, {}, 5)
