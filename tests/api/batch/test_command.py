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

from api.batch.spec import read_batch
from api.batch.state import STATE_FILE
from api.cli import main
from tests.api.batch.helpers import SMALL, check_outcomes, write_file

ROOT = Path(__file__).parents[3]
LARGER = {"talents": 1000, "packages": 250}
"""A generated round whose solve takes a second or more."""


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


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes in /proc")
@pytest.mark.parametrize("to_group", [False, True], ids=["main process", "process group"])
def test_an_interrupted_batch_resumes_without_its_finished_scenarios(
    tmp_path: Path, to_group: bool
) -> None:
    # the first finishes at once, the others take a second or more each: the batch is
    # still running when the first is recorded and the interrupt comes
    sizes = [SMALL, LARGER, LARGER, LARGER]
    scenarios = [{"name": f"s{i}", "generate": {**size, "seed": i}} for i, size in enumerate(sizes)]
    path = write_file(tmp_path, {"defaults": {"time_limit": 3}, "scenarios": scenarios})
    out = tmp_path / "out"
    command = [sys.executable, "-m", "api.cli", "batch", str(path), "--out", str(out)]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    # a group of its own, as a terminal gives a command: Ctrl-C reaches all of it
    process = subprocess.Popen(
        [*command, "--parallel", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        process_group=0,
        # Ctrl-C as a terminal delivers it, even when this run itself ignores SIGINT (a
        # background job of a non-interactive shell does, and its children inherit that)
        preexec_fn=_default_sigint,
    )
    state = out / STATE_FILE
    deadline = time.monotonic() + 120
    while not state.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert process.poll() is None, "the batch ended before it was interrupted"
    assert _running_in_group(process.pid) != [process.pid], "no worker was started"
    if to_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    # the workers end with it: none holds its output open, so communicate() returns
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert err.decode().strip().splitlines() == [
        f"interrupted: {len(json.loads(state.read_text())['finished'])} of 4 scenarios "
        "finished and recorded; run the same command again to resume"
    ]
    assert _group_ends(process.pid, within=5.0)
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
    check_outcomes(out, read_batch(path).valid(), table)


def _running_in_group(group: int) -> list[int]:
    """The processes of process group ``group`` that are running (not ended, nor zombies
    waiting for a parent gone before them)."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            running.append(int(stat.parent.name))
    return sorted(running)


def _group_ends(group: int, within: float) -> bool:
    """Whether no process of ``group`` runs any more, or none after ``within`` seconds (one
    that closed its files may still be ending: multiprocessing's resource tracker ends once
    its last client has)."""
    deadline = time.monotonic() + within
    while _running_in_group(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _running_in_group(group)


def _default_sigint() -> None:
    """In the child before it starts: SIGINT's default action, so that Python installs its
    handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
