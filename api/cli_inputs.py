"""What the command line accepts: option values checked as they are parsed, round files
checked before any work, and output folders checked before anything is written. Each refusal
is one line that names the option or the file."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NoReturn

import pandas as pd

from matcher.costs import forced_over_budget
from matcher.errors import RoundError
from matcher.models import Round
from matcher.roundio import load_round


def cosource_version() -> str:
    """The installed distribution's version."""
    try:
        return version("cosource")
    except PackageNotFoundError:
        return "unknown (not installed)"


EXIT_STATUS = """exit status:
  0  done: the round is solved, or the command did what it was asked
  1  no solution: the round is infeasible, or no assignment was found in time
  2  bad input: an option, a file, or a value in the round; one line on stderr,
     'error: ...', names the option, or the file, line, record and field"""

MAX_SEED = 2**31 - 1
"""Seeds go to CP-SAT, whose seed is a 32-bit integer, and to numpy's generators."""
MAX_WORKERS = 256
"""More CP-SAT workers than any machine has cores."""
MAX_GENERATED = 1_000_000
"""The most talents or packages ``generate`` writes (100,000 talents take 10 s and 0.6 GB)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, ``error: ...``, and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    """A parser of whole numbers in [low, high] whose error names the range."""

    def parse(text: str) -> int:
        value = whole_number(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not {what} in {low:,}-{high:,}")
        return value

    parse.__name__ = what  # argparse names the type in some of its messages
    return parse


def positive_int(text: str) -> int:
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return value


seed = int_in(0, MAX_SEED, "a seed")
workers = int_in(1, MAX_WORKERS, "a number of workers")
round_size = int_in(1, MAX_GENERATED, "a round size")


def positive_seconds(text: str) -> float:
    value = number(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def share(text: str) -> float:
    value = number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share in [0, 1)")
    return value


def load_checked(path: Path) -> Round:
    """The round at ``path``, refused when its pinned and accepted placements exceed the
    seats, tours or budgets (the solvers would only find it infeasible)."""
    round_ = load_round(path)
    over = round_.over_capacity() + forced_over_budget(round_)
    if over:
        raise RoundError(f"{path}: {'; '.join(over)}")
    return round_


def check_out(path: Path, folder: str | None) -> None:
    """Refuse an ``--out`` that cannot be written, before any work is done and without
    creating anything: the ``folder`` named so (say "results folder"), else a file."""
    if path.exists():
        if folder and not path.is_dir():
            raise RoundError(f"--out: the {folder} {path} is an existing file")
        if not folder and path.is_dir():
            raise RoundError(
                f"--out: {path} is an existing folder; name a .json file, or a folder "
                "without .json for CSV files"
            )
        if not os.access(path, os.W_OK):
            raise RoundError(f"--out: {path} is not writable")
        return
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise RoundError(f"--out: cannot create {path}: {parent} is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise RoundError(f"--out: cannot create {path}: {parent} is not writable")


def placed_talents(path: Path) -> list[str]:
    """The talents of a placements.csv (``--exclude-placed``)."""
    if not path.exists():
        raise RoundError(f"--exclude-placed: no such file {path}")
    if path.is_dir():
        raise RoundError(f"--exclude-placed: {path} is a folder, not a placements.csv")
    try:
        table = pd.read_csv(path, dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RoundError(f"--exclude-placed {path}: cannot be read as CSV: {reason}") from exc
    if "talent" not in table.columns:
        columns = ", ".join(repr(str(c)) for c in table.columns[:8])
        raise RoundError(
            f"--exclude-placed {path}: no 'talent' column (found {columns}); "
            "pass the placements.csv of a solve"
        )
    return [str(t) for t in table["talent"].dropna()]
