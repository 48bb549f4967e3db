"""``cosource batch`` as a person runs it: the exit status of a refused file and of an
unreachable cluster, and an interrupted batch that resumes without running its finished
scenarios again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from api.batch.state import STATE_FILE
from api.cli import main
from tests.api.batch.helpers import SMALL, write_file

ROOT = Path(__file__).parents[3]


def test_a_file_with_an_unknown_key_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file(tmp_path, {"scenarios": [{"name": "a", "generate": SMALL}], "colour": 1})
    assert main(["batch", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: {path}: field 'colour': unknown key"
    assert not (tmp_path / "out").exists()


def test_an_address_where_no_cluster_answers_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ray")
    path = write_file(tmp_path, {"scenarios": [{"name": "a", "generate": SMALL}]})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    address = f"127.0.0.1:{port}"
    assert main(["batch", str(path), "--out", str(tmp_path / "out"), "--ray", address]) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert f"error: --ray {address}: no Ray cluster answers there" in err


@pytest.mark.xfail(
    reason="known defect: on a quiet machine the interrupted command dies of the SIGINT itself "
    "(exit -2, no message) instead of recording the interruption and exiting 130, and its pool "
    "workers keep its pipes open; state.json, written per finished scenario, is intact",
    raises=subprocess.TimeoutExpired,
    strict=False,
)
def test_an_interrupted_batch_resumes_without_its_finished_scenarios(tmp_path: Path) -> None:
    scenarios = [{"name": f"s{i}", "generate": {**SMALL, "seed": i}} for i in range(4)]
    path = write_file(tmp_path, {"defaults": {"time_limit": 3}, "scenarios": scenarios})
    out = tmp_path / "out"
    command = [sys.executable, "-m", "api.cli", "batch", str(path), "--out", str(out)]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [*command, "--parallel", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    state = out / STATE_FILE
    deadline = time.monotonic() + 120
    while not state.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert "run the same command again to resume" in err.decode()
    finished = json.loads(state.read_text())["finished"]
    assert 1 <= len(finished) < 4
    stamps = {n: (out / "scenarios" / n / "result.json").stat().st_mtime_ns for n in finished}

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"resuming: {len(finished)} scenario(s) finished before" in rerun.stdout
    for name, stamp in stamps.items():
        assert (out / "scenarios" / name / "result.json").stat().st_mtime_ns == stamp
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["scenario"]) == ["s0", "s1", "s2", "s3"]
    assert set(table["status"]) <= {"optimal", "feasible"}
