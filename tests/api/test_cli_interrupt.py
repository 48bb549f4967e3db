"""Ctrl-C during ``cosource solve``: one line and exit status 130, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from api.cli import main

ROOT = Path(__file__).parents[2]


def test_an_interrupted_solve_exits_130_with_one_line(tmp_path: Path) -> None:
    round_path = tmp_path / "round.json"
    assert main(["generate", "--size", "3000", "--seed", "4", "--out", str(round_path)]) == 0
    command = [sys.executable, "-m", "api.cli", "solve", str(round_path), "--out"]
    command += [str(tmp_path / "out"), "--time-limit", "60"]
    process = subprocess.Popen(
        command,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        process_group=0,
        # Ctrl-C as a terminal delivers it, even when this run itself ignores SIGINT (a
        # background job of a non-interactive shell does, and its children inherit that)
        preexec_fn=_default_sigint,
    )
    # the solve is under way once the round is loaded and compiled: a few seconds
    time.sleep(8)
    assert process.poll() is None, "the solve ended before it was interrupted"
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err.decode()
    assert err.decode().strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in err.decode()


def _default_sigint() -> None:
    """In the child before it starts: SIGINT's default action, so that Python installs its
    handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
