"""What every benchmark records beside its numbers: the commit and the machine."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

Config = TypeVar("Config")


def commit_id() -> str:
    """The commit of the working tree, or ``unknown`` outside a repository."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def package_version(name: str) -> str | None:
    """Installed version of a distribution, None if it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """Platform, processor, Python, usable cores (``nproc``) and solver library versions."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "nproc": usable,
        "cpu_count": os.cpu_count(),
        "versions": {name: package_version(name) for name in ("ortools", "scipy", "numpy")},
    }


def run_main(
    make_config: Callable[[], Config],
    commit: str | None,
    headline: Callable[[Config, str], str],
    run: Callable[[Config, str], int],
) -> int:
    """What every suite's ``main`` does around its own work: build the configuration (a
    ``ValueError`` is printed as an error, exit status 2), print a headline with the commit,
    ``run`` it and print the time it took. Returns ``run``'s exit status."""
    try:
        config = make_config()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    commit = commit or commit_id()
    started = time.perf_counter()
    print(headline(config, commit))
    status = run(config, commit)
    print(f"{time.perf_counter() - started:.0f} s in all")
    return status
