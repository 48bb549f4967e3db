"""CP-SAT's solver as this package makes it: a solve leaves Ctrl-C (SIGINT) to Python."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ortools.sat.python import cp_model

from solvers.backends.cpsat import new_solver

ROOT = Path(__file__).parents[3]

# Python's signal.getsignal() reports the handler Python installed, not the one the process
# has: only a real SIGINT tells whether CP-SAT left the default action (death) in its place.
AFTER_SOLVES = """
import os, signal
import solvers.registry  # its options ask CP-SAT, at import, which subsolvers it knows
from ortools.sat.python import cp_model
from solvers.backends.cpsat import new_solver

model = cp_model.CpModel()
x = model.new_bool_var("x")
model.maximize(x)
assert new_solver().solve(model) == cp_model.OPTIMAL
try:
    os.kill(os.getpid(), signal.SIGINT)
    signal.pause()
except KeyboardInterrupt:
    print("KeyboardInterrupt")
"""


def test_a_solve_leaves_ctrl_c_to_python() -> None:
    assert new_solver().parameters.catch_sigint_signal is False
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", AFTER_SOLVES], env=env, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout.strip()) == (0, "KeyboardInterrupt"), done.stderr


def test_every_cp_sat_solver_of_the_package_is_made_by_new_solver() -> None:
    makers = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "solvers").rglob("*.py"))
        if "CpSolver()" in path.read_text()
    ]
    assert makers == ["solvers/backends/cpsat.py"]
    source = (ROOT / "solvers" / "backends" / "cpsat.py").read_text()
    assert source.count("CpSolver()") == 1
    assert isinstance(new_solver(), cp_model.CpSolver)
