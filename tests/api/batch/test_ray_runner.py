"""The batch on a local Ray instance (two CPUs, started once for the module): the same
batch as on the process pool, a failed task and a dead worker retried once, and an address
where no cluster answers refused at once."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from api.batch.backend import TaskFunction
from api.batch.ray_runner import RayBackend, RayUnavailableError, check_address
from api.batch.runner import BatchResult, run_batch
from api.batch.spec import Scenario, read_batch
from api.batch.tasks import Task
from api.cli import main
from tests.api.batch.gap_checks import check_benchmark_row
from tests.api.batch.helpers import SMALL, FailOnce, check_outcomes, write_file
from tests.api.batch.scenarios import SOLVED, study

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    root = str(Path(__file__).parents[3])
    # the workers import the test's task functions from this checkout
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": root}},
    )
    yield
    ray.shutdown()


def study_of(path: Path) -> list[Scenario]:
    return read_batch(path).valid()


def _run(folder: Path, out: Path, run: TaskFunction) -> BatchResult:
    def backend(tasks: list[Task]) -> tuple[RayBackend, int]:
        return RayBackend("auto", run=run), len(tasks)

    return run_batch(study(folder), out, backend, say=lambda line: None)


def test_a_batch_of_small_rounds_on_ray(local_ray: None, tmp_path: Path) -> None:
    out, marks = tmp_path / "out", tmp_path / "marks"
    marks.mkdir()
    _run(tmp_path, out, FailOnce(marks, frozenset({"more-subsidy"})))
    table = pd.read_csv(out / "comparison.csv")
    by_name = table.set_index("scenario")
    assert set(by_name.loc[list(SOLVED), "status"]) <= {"optimal", "feasible"}
    assert by_name.loc["more-subsidy", "attempts"] == 2
    assert list(by_name.loc[["base", "fair", "greedy"], "attempts"]) == [1, 1, 1]
    assert by_name.loc["ages", "status"] == "invalid"
    check_outcomes(out, [s for s in study(tmp_path).valid() if s.name in SOLVED], table)
    assert "more-subsidy vs base (subsidy pool +100 %)" in (out / "summary.txt").read_text()
    # Ray was running before the batch: the batch leaves it running
    assert ray.is_initialized()


def test_a_dead_ray_worker_and_its_task_runs_again(local_ray: None, tmp_path: Path) -> None:
    out, marks = tmp_path / "out", tmp_path / "marks"
    marks.mkdir()
    _run(tmp_path, out, FailOnce(marks, frozenset({"fair"}), crash=True))
    table = pd.read_csv(out / "comparison.csv")
    by_name = table.set_index("scenario")
    assert by_name.loc["fair", "attempts"] == 2
    assert set(by_name.loc[list(SOLVED), "status"]) <= {"optimal", "feasible"}
    check_outcomes(out, [s for s in study(tmp_path).valid() if s.name in SOLVED], table)


def test_a_benchmark_instance_and_a_round_on_ray(
    local_ray: None, data_dir: Path, tmp_path: Path
) -> None:
    # the task ships the instance's arrays, read by the command, not its name
    path = write_file(
        tmp_path,
        {
            "defaults": {"time_limit": 2, "workers": 1},
            "scenarios": [
                {"name": "gap", "benchmark": {"suite": "gap", "instance": "gap1-4"}},
                {"name": "round", "generate": SMALL},
            ],
        },
    )
    out = tmp_path / "out"

    def backend(tasks: list[Task]) -> tuple[RayBackend, int]:
        return RayBackend("auto"), len(tasks)

    assert run_batch(read_batch(path), out, backend, say=lambda line: None).all_solved
    table = pd.read_csv(out / "comparison.csv")
    rows = {r["scenario"]: r for r in table.to_dict("records")}
    assert rows["gap"]["status"] in {"optimal", "feasible"}
    check_benchmark_row(out, data_dir, rows["gap"])
    check_outcomes(out, [s for s in study_of(path) if s.name == "round"], table)


def test_an_address_where_nothing_answers_is_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the port is free again: nothing listens there
    with pytest.raises(
        RayUnavailableError, match=f"--ray 127.0.0.1:{port}: no Ray cluster answers"
    ):
        check_address(f"127.0.0.1:{port}")
    with pytest.raises(RayUnavailableError, match="not an address"):
        check_address("somewhere")


def test_the_command_line_runs_a_batch_on_ray(
    local_ray: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file(
        tmp_path,
        {
            "defaults": {"time_limit": 3},
            "scenarios": [
                {"name": "a", "generate": SMALL},
                {"name": "b", "base": "a", "policy": {"min_fit": 0.2}},
            ],
        },
    )
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--ray", "auto"]) == 0
    printed = capsys.readouterr().out
    assert "running 2 scenario(s) on the local Ray" in printed
    assert "b vs a (min_fit 0.2): " in printed
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["scenario"]) == ["a", "b"]
    assert set(table["status"]) <= {"optimal", "feasible"}
    check_outcomes(out, study_of(path), table)
