"""Page suite: the page's first view of a run, in headless Chromium against a real server.

A real ``cosource serve`` (with its worker) stores a generated round (``--size``, default
20000x5000) and solves it once (``--time-limit``, not timed). Then, ``--repeat`` times, the
page is loaded afresh with the coordinator's key in the tab (session storage, as the page
keeps it) and timed from the load of ``/`` until the run is listed with its actions: the
page asks who the key is, lists the rounds, reads the audit log, the coordinator opens the
round, and the page lists its runs, each with its Report button. Target: 1 s (issue 26).

The peer, in the same run: the same API requests the page makes, sent from Python one after
the other (``http.client``); the page's time less theirs is the browser's own part (loading
the page's files, running its script, drawing the tables).

Usage::

    python -m benchmarks.page --out results/page

Needs Debian's ``chromium`` and ``chromium-driver``. Writes ``runs.csv`` and
``results.json`` (the runs, commit and machine) into ``--out``. The exit status is 1 when a
view never shows the run; a view slower than the target is reported (``slow``), as the
other suites do.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from benchmarks.runinfo import run_main
from benchmarks.service.server import Client, Server, running_server
from benchmarks.synthetic import finish_runs, parse_size, run_header
from matcher.generator import generate_round

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

TARGET_SECONDS: Final = 1.0
"""The page's first view of a run, at most (issue 26)."""
CHROMIUM: Final = Path("/usr/bin/chromium")
CHROMEDRIVER: Final = Path("/usr/bin/chromedriver")
WAIT_SECONDS: Final = 60.0
"""Longest wait for one view (a miss of the target by far, reported as failed)."""
FINISHED: Final = ("solved", "no_solution", "cancelled", "failed")

CSV_COLUMNS: Final = (
    "task",
    "talents",
    "packages",
    "placements",
    "repeat",
    "median_seconds",
    "max_seconds",
    "check",
)


@dataclass(frozen=True)
class PageRun:
    """One timed task: its median and slowest time over the repeats."""

    task: str
    talents: int
    packages: int
    placements: int
    repeat: int
    median_seconds: float
    max_seconds: float
    check: str

    @property
    def failed(self) -> bool:
        return self.check not in ("ok", "slow")


@dataclass(frozen=True)
class SuiteConfig:
    size: tuple[int, int]
    seed: int
    time_limit: float
    repeat: int


def _browser() -> WebDriver:
    """Headless Chromium at 1280x800 with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="chromium-")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1280,800",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def solved_round(server: Server, config: SuiteConfig) -> tuple[int, int, int]:
    """Store the generated round and solve it once: the round's id, the run's id and its
    placements."""
    talents, packages = config.size
    client = Client(server.port, server.key)
    round_ = generate_round(talents, packages, seed=config.seed)
    body = round_.model_dump_json().encode()
    headers = {"Content-Type": "application/json"}
    round_id = client.request("POST", "/rounds", body, headers, expect=201).json()["id"]
    run = client.post_json(f"/rounds/{round_id}/runs", {"time_limit": config.time_limit}, 202)
    deadline = time.monotonic() + config.time_limit + 600
    while True:
        state = client.get_json(f"/runs/{run['id']}")
        if state["status"] in FINISHED or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if state["status"] != "solved":
        raise RuntimeError(f"run {run['id']} ended {state['status']}: {state.get('error')}")
    return round_id, int(run["id"]), int(state["result"]["placements"])


def first_views(base: str, key: str, round_id: int, run_id: int, repeat: int) -> list[float]:
    """The seconds of ``repeat`` first views of the run (see the module docstring)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shown
    from selenium.webdriver.support.ui import WebDriverWait

    driver = _browser()
    wait = WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.01)
    opened = (By.XPATH, f"//button[starts-with(@aria-label, 'Open round {round_id}:')]")
    report = (By.XPATH, f"//button[@aria-label='Open the report of run {run_id}']")
    try:
        driver.get(base + "/")
        driver.execute_script("sessionStorage.setItem('cosource.key', arguments[0]);", key)
        seconds = []
        for _ in range(repeat):
            started = time.perf_counter()
            driver.get(base + "/")
            wait.until(shown.element_to_be_clickable(opened)).click()
            wait.until(shown.element_to_be_clickable(report))
            seconds.append(time.perf_counter() - started)
        return seconds
    finally:
        driver.quit()


def api_requests(server: Server, round_id: int, repeat: int) -> list[float]:
    """The seconds of the page's API requests for one view, sent from Python, ``repeat``
    times."""
    client = Client(server.port, server.key)
    paths = (
        "/rounds?limit=100",
        "/audit?limit=1",
        "/audit?limit=1000",
        f"/rounds/{round_id}/runs",
    )
    return [sum(client.request("GET", path).seconds for path in paths) for _ in range(repeat)]


def run_suite(config: SuiteConfig) -> list[PageRun]:
    """Serve, store and solve the round, then time the first views and their requests."""
    talents, packages = config.size
    with tempfile.TemporaryDirectory(prefix="page-bench-") as folder:
        url = f"sqlite:///{folder}/page.db"
        with running_server(url, Path(folder)) as server:
            assert server.key is not None
            round_id, run_id, placed = solved_round(server, config)
            base = f"http://127.0.0.1:{server.port}"
            try:
                views = first_views(base, server.key, round_id, run_id, config.repeat)
                check = "ok"
            except Exception as error:  # a view that never ends: reported, the suite fails
                views, check = [WAIT_SECONDS], f"no view: {type(error).__name__}"
            requests = api_requests(server, round_id, config.repeat)
    if check == "ok" and statistics.median(views) > TARGET_SECONDS:
        check = "slow"

    def row(task: str, seconds: list[float], verdict: str) -> PageRun:
        median, slowest = round(statistics.median(seconds), 3), round(max(seconds), 3)
        return PageRun(task, talents, packages, placed, config.repeat, median, slowest, verdict)

    return [
        row("first view (Chromium)", views, check),
        row("its API requests (Python)", requests, "ok"),
    ]


def print_table(runs: Sequence[PageRun]) -> None:
    print(f"{'task':<28} {'talents':>8} {'placed':>7} {'median s':>9} {'max s':>7}  check")
    for run in runs:
        print(
            f"{run.task:<28} {run.talents:>8,} {run.placements:>7,} "
            f"{run.median_seconds:>9.3f} {run.max_seconds:>7.3f}  {run.check}"
        )
    if len(runs) == 2 and runs[1].median_seconds > 0:
        ratio = runs[0].median_seconds / runs[1].median_seconds
        print(f"page / its requests: {ratio:.1f}x (target: {TARGET_SECONDS:g} s for the page)")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.page", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--size", default="20000x5000", help="TALENTSxPACKAGES of the round")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=10.0, help="the solve's limit")
    parser.add_argument("--repeat", type=int, default=5, help="first views timed")
    parser.add_argument("--out", type=Path, help="folder for runs.csv and results.json")
    parser.add_argument("--commit", help="the commit to name (default: git's HEAD)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the page suite; returns the exit status (1 if a view never showed the run)."""
    args = parse_args(argv)

    def make_config() -> SuiteConfig:
        if args.repeat < 1 or args.time_limit <= 0:
            raise ValueError("--repeat must be at least 1 and --time-limit above 0")
        for path in (CHROMIUM, CHROMEDRIVER):
            if not path.exists():
                raise ValueError(f"{path} missing: apt-get install chromium chromium-driver")
        return SuiteConfig(parse_size(args.size), args.seed, args.time_limit, args.repeat)

    def headline(config: SuiteConfig, commit: str) -> str:
        talents, packages = config.size
        return (
            f"commit {commit}, {talents:,} talents x {packages:,} packages, seed "
            f"{config.seed}, solve limit {config.time_limit:g} s, {config.repeat} views"
        )

    def run(config: SuiteConfig, commit: str) -> int:
        runs = run_suite(config)
        print_table(runs)
        return finish_runs(
            args.out,
            CSV_COLUMNS,
            runs,
            lambda: run_header(commit, target_seconds=TARGET_SECONDS, repeat=config.repeat),
        )

    return run_main(make_config, args.commit, headline, run)


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["CSV_COLUMNS", "TARGET_SECONDS", "PageRun", "main", "run_suite"]
