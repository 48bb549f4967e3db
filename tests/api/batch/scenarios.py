"""The batch the runner tests run on both backends: four small generated rounds, one
bad policy, and what-if bases."""

from __future__ import annotations

from pathlib import Path

from api.batch.spec import Batch, read_batch
from tests.api.batch.helpers import SMALL, write_file

STUDY = {
    "name": "small study",
    "defaults": {"time_limit": 3, "workers": 1},
    "scenarios": [
        {
            "name": "base",
            "generate": {**SMALL, "seed": 1},
            "policy": {"subsidy_share": 0.5, "subsidy_pool": 3000},
        },
        {"name": "more-subsidy", "base": "base", "scale": {"subsidy_pool": 2.0}},
        {"name": "fair", "base": "base", "policy": {"fairness": "hard", "min_per_lender": 1}},
        {"name": "greedy", "base": "base", "method": "greedy"},
        # checks across policy fields wait for the round: this one fails in its task
        {"name": "ages", "base": "base", "policy": {"max_age": 40}},
    ],
}
"""Four scenarios that solve, and one whose policy is impossible (max_age below min_age)."""
SOLVED = ("base", "more-subsidy", "fair", "greedy")


def study(folder: Path) -> Batch:
    return read_batch(write_file(folder, STUDY))
