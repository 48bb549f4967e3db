"""The service suite: measurements, table, files and command line (:mod:`benchmarks.service`)."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TextIO

from sqlalchemy.engine import make_url

from benchmarks.runinfo import machine, run_main
from benchmarks.service.load import TOOLS, Load, available_tools, run_load, summary
from benchmarks.service.server import (
    ONE_THREAD,
    Client,
    Server,
    ServiceError,
    auth_headers,
    running_server,
)
from benchmarks.synthetic import finish_runs, parse_size, run_header
from matcher.compile import compile_round
from matcher.generator import generate_round
from matcher.models import SCORE_NAMES, Policy, Round
from matcher.roundio import write_csv_folder
from matcher.shortlists import Shortlists

JSON_TYPE: Final = "application/json"
ZIP_TYPE: Final = "application/zip"
SHORTLIST_PACKAGES: Final = 256
"""Packages the shortlist load asks about in turn, spread evenly over the round's."""
SHORTLIST_RATE: Final = 300.0
SHORTLIST_P99_MS: Final = 30.0
UPLOAD_SECONDS: Final = 10.0
PAGE_SECONDS: Final = 1.0
POLL_P99_MS: Final = 20.0
WAIT_POLL_SECONDS: Final = 0.5
CSV_COLUMNS: Final = (
    "measure",
    "tool",
    "connections",
    "requests",
    "errors",
    "seconds",
    "rate",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "server_cpu_ms",
    "target",
    "verdict",
    "solve",
    "note",
    "failed",
)
TABLE_HEADER: Final = (
    f"{'measure':<38} {'tool':<11} {'conn':>4} {'n':>6} {'err':>4} {'s':>7} {'req/s':>8} "
    f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'cpu ms':>7}  {'verdict':<7} solve"
)


@dataclass(frozen=True)
class SuiteConfig:
    """What the suite measures, and how long each part may take.

    Attributes
    ----------
    shortlist_size
        Talents x packages of the round the shortlists are asked of.
    shortlist_top_k
        That round's ``policy.top_k`` (the best packages kept per talent; None: all). At
        100,000 x 20,000 the full eligible graph has 57 million edges: compiled whole it
        took over 10 GB in the server, which the kernel killed on this 24 GB machine.
    solve_size
        Talents x packages of the round that is uploaded, solved first (its placements are
        read) and solved again in the background while everything is measured.
    database_url
        The server's database; None: a fresh SQLite file in a temporary folder.
    tools
        Load generators for the shortlist load (``python``, ``wrk``).
    """

    shortlist_size: tuple[int, int] = (100_000, 20_000)
    shortlist_top_k: int | None = 50
    solve_size: tuple[int, int] = (20_000, 5_000)
    seed: int = 1
    database_url: str | None = None
    tools: tuple[str, ...] = ("python",)
    connections: int = 4
    k: int = 10
    load_requests: int = 20_000
    load_seconds: float = 20.0
    in_process_calls: int = 20_000
    in_process_seconds: float = 5.0
    page: int = 5_000
    page_repeat: int = 5
    polls: int = 2_000
    poll_seconds: float = 15.0
    prepare_seconds: float = 20.0
    solve_seconds: float = 900.0
    solve_workers: int = 2

    def __post_init__(self) -> None:
        unknown = sorted(set(self.tools) - set(TOOLS))
        if unknown or not self.tools:
            raise ValueError(f"load tools {self.tools} not understood; known: {', '.join(TOOLS)}")
        counts = (self.connections, self.k, self.load_requests, self.page, self.page_repeat)
        if min(counts) < 1 or self.polls < 1 or self.in_process_calls < 1:
            raise ValueError("counts must be at least 1")
        seconds = (self.load_seconds, self.poll_seconds, self.prepare_seconds, self.solve_seconds)
        if min(seconds) <= 0 or self.in_process_seconds <= 0:
            raise ValueError("times must be positive")


@dataclass
class Measure:
    """One row of the table: a measured request kind, its numbers, target and verdict.

    ``solve`` is the background run's state when the measurement started and ended
    (``solving`` when it solved throughout); ``server_cpu_ms`` the CPU time the server
    process (not its worker) spent per request, which contention from other processes
    changes much less than the latencies; ``failed`` means a wrong answer or an error status,
    not a missed target.
    """

    measure: str
    tool: str
    connections: int
    requests: int
    errors: int
    seconds: float
    rate: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    server_cpu_ms: float | None = None
    target: str = ""
    verdict: str = ""
    solve: str = ""
    note: str = ""
    failed: bool = False


@dataclass
class Context:
    """What the phases share: the server, its client, the round ids and the runs."""

    config: SuiteConfig
    server: Server
    client: Client
    out: TextIO
    rows: list[Measure] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    background: int | None = None

    def add(self, row: Measure) -> Measure:
        self.rows.append(row)
        print(table_row(row), file=self.out, flush=True)
        if row.failed:
            print(f"  FAILED: {row.note}", file=self.out, flush=True)
        return row

    def say(self, text: str) -> None:
        print(f"  {text}", file=self.out, flush=True)

    def solve_state(self) -> str:
        """The background run's state: ``solving`` while its solve runs, else its status
        (and phase); ``none`` before it starts."""
        if self.background is None:
            return "none"
        run = self.client.get_json(f"/runs/{self.background}")
        phase = (run.get("progress") or {}).get("phase")
        if run["status"] == "running" and phase == "solving":
            return "solving"
        return f"{run['status']}/{phase}" if phase else str(run["status"])

    @contextmanager
    def during(self) -> Iterator[Window]:
        """The background run's state and the server's CPU time around the block, in the
        :class:`Window` it yields, filled in once the block ends."""
        before = self.solve_state()
        window = Window()
        cpu = server_cpu_seconds(self.server.process.pid)
        yield window
        if cpu is not None:
            now = server_cpu_seconds(self.server.process.pid)
            window.server_cpu = None if now is None else now - cpu
        after = self.solve_state()
        window.solve = before if before == after else f"{before}->{after}"


@dataclass
class Window:
    """What :meth:`Context.during` saw: the background run's state and the server's CPU
    seconds (None where ``/proc`` is not there)."""

    solve: str = ""
    server_cpu: float | None = None

    def cpu_ms_per(self, requests: int) -> float | None:
        if self.server_cpu is None or requests < 1:
            return None
        return 1000 * self.server_cpu / requests


def server_cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds of process ``pid`` so far (Linux ``/proc``; None
    elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # after the command's ")": state is field 3, utime 14 and stime 15 (man 5 proc)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def table_row(row: Measure) -> str:
    def ms(value: float | None) -> str:
        if value is None:
            return ""
        return f"{value:.3f}" if value < 1 else f"{value:.1f}"

    rate = "" if row.rate is None else f"{row.rate:.0f}"
    return (
        f"{row.measure:<38} {row.tool:<11} {row.connections:>4} {row.requests:>6} "
        f"{row.errors:>4} {row.seconds:>7.2f} {rate:>8} {ms(row.p50_ms):>7} {ms(row.p95_ms):>7} "
        f"{ms(row.p99_ms):>7} {ms(row.max_ms):>7} {ms(row.server_cpu_ms):>7}  "
        f"{row.verdict or '-':<7} {row.solve}"
    )


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def size_text(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


# --- inputs ---------------------------------------------------------------------------------


def zip_of_csv(round_: Round) -> bytes:
    """The round's CSV folder as a zip, as a user would upload it."""
    with tempfile.TemporaryDirectory(prefix="service-bench-csv-") as folder:
        write_csv_folder(round_, Path(folder))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
    return buffer.getvalue()


def spread(ids: Sequence[str], n: int) -> list[str]:
    """``n`` of ``ids`` evenly spaced (all of them when fewer)."""
    if len(ids) <= n:
        return list(ids)
    step = len(ids) / n
    return [ids[int(i * step)] for i in range(n)]


# --- phases ---------------------------------------------------------------------------------


def upload(ctx: Context, what: str, body: bytes, kind: str, idle: bool) -> int:
    """POST a round; a row with its seconds (the target only under the solve); its id."""
    with ctx.during() as window:
        reply = ctx.client.request("POST", "/rounds", body, {"Content-Type": kind}, expect=None)
    ok = reply.status == 201
    note = f"{len(body) / 1e6:.1f} MB"
    if not ok:
        note = f"status {reply.status}: {reply.body[:300]!r}"
    seconds = reply.seconds
    ctx.add(
        Measure(
            f"upload {what}" + (" (idle)" if idle else ""),
            "http.client",
            1,
            1,
            0 if ok else 1,
            seconds,
            server_cpu_ms=window.cpu_ms_per(1),
            target="" if idle else f"<= {UPLOAD_SECONDS:g} s",
            verdict="" if idle else verdict(ok and seconds <= UPLOAD_SECONDS),
            solve=window.solve,
            note=note,
            failed=not ok,
        )
    )
    if not ok:
        raise ServiceError(f"upload {what} failed: {note}")
    round_id: int = reply.json()["id"]
    return round_id


def start_run(ctx: Context, round_id: int, seconds: float) -> int:
    """Queue a solve of ``round_id``; its run id."""
    body = {"time_limit": seconds, "workers": ctx.config.solve_workers, "seed": 1}
    run = ctx.client.post_json(f"/rounds/{round_id}/runs", body, expect=202)
    run_id: int = run["id"]
    return run_id


def wait_run(ctx: Context, run_id: int, seconds: float, solving: bool = False) -> dict[str, Any]:
    """The run once it has finished (or, with ``solving``, once its solve has started),
    polled every half second for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        run: dict[str, Any] = ctx.client.get_json(f"/runs/{run_id}")
        if run["finished_at"] is not None:
            return run
        if solving and (run.get("progress") or {}).get("phase") == "solving":
            return run
        if time.monotonic() > deadline:
            raise ServiceError(f"run {run_id} still {run['status']} after {seconds:g} s")
        time.sleep(WAIT_POLL_SECONDS)


def first_shortlist(ctx: Context, round_id: int, package: str) -> None:
    """The first shortlist of the round: the server loads and compiles it (then cached)."""
    path = f"/rounds/{round_id}/packages/{package}/shortlist?k={ctx.config.k}"
    with ctx.during() as window:
        reply = ctx.client.request("GET", path, expect=None)
    ok = reply.status == 200 and reply.json()["kind"] == "package"
    ctx.add(
        Measure(
            f"first shortlist (compile {size_text(ctx.config.shortlist_size)})",
            "http.client",
            1,
            1,
            0 if ok else 1,
            reply.seconds,
            server_cpu_ms=window.cpu_ms_per(1),
            solve=window.solve,
            note="loads the round from the database, compiles it, builds the orders",
            failed=not ok,
        )
    )


def load_row(
    ctx: Context,
    measure: str,
    load: Load,
    window: Window,
    target: str,
    met: bool | None,
    served: bool = True,
) -> Measure:
    """A row of a load (``served``: by the server, whose CPU time per request it gets)."""
    return ctx.add(
        Measure(
            measure,
            load.tool,
            load.connections,
            load.requests,
            load.errors,
            load.seconds,
            rate=load.rate,
            p50_ms=load.p50_ms,
            p95_ms=load.p95_ms,
            p99_ms=load.p99_ms,
            max_ms=load.max_ms,
            server_cpu_ms=window.cpu_ms_per(load.requests) if served else None,
            target=target,
            verdict="" if met is None else verdict(met and load.errors == 0),
            solve=window.solve,
            note="" if load.errors == 0 else f"{load.errors} requests failed {load.first_error}",
            failed=load.errors > 0,
        )
    )


def shortlist_load(ctx: Context, round_id: int, packages: Sequence[str]) -> None:
    """The shortlist load with each tool."""
    c = ctx.config
    paths = [f"/rounds/{round_id}/packages/{p}/shortlist?k={c.k}" for p in packages]
    target = f">= {SHORTLIST_RATE:g} req/s, p99 <= {SHORTLIST_P99_MS:g} ms"
    for tool in c.tools:
        with ctx.during() as window:
            load = run_load(
                tool,
                ctx.server.port,
                paths,
                c.connections,
                c.load_requests,
                c.load_seconds,
                auth_headers(ctx.server.key),
            )
        met = load.rate >= SHORTLIST_RATE and load.p99_ms <= SHORTLIST_P99_MS
        load_row(ctx, f"shortlist k={c.k} HTTP", load, window, target, met)


def in_process(
    ctx: Context, shortlists: Shortlists, round_id: int, packages: Sequence[str]
) -> None:
    """The same shortlists in this process: the query alone, then with its candidates (ids,
    scores, score parts) written as JSON, about what the route's answer holds; the
    difference to HTTP is what the service adds (routing, the version look-up, the response
    model, HTTP)."""
    c = ctx.config

    def query(package: str) -> object:
        return shortlists.for_package(package, c.k)

    def query_json(package: str) -> object:
        shortlist = shortlists.for_package(package, c.k)
        parts = shortlist.components.tolist()
        candidates = [
            {"id": who, "score": round(s, 4), "parts": dict(zip(SCORE_NAMES, p, strict=True))}
            for who, s, p in zip(
                shortlist.partner_ids, shortlist.score.tolist(), parts, strict=True
            )
        ]
        return json.dumps({"round_id": round_id, "owner": package, "candidates": candidates})

    for name, call in (("in-process", query), ("in-process + JSON", query_json)):
        latencies: list[float] = []
        with ctx.during() as window:
            started = time.perf_counter()
            deadline = started + c.in_process_seconds
            while len(latencies) < c.in_process_calls and time.perf_counter() < deadline:
                package = packages[len(latencies) % len(packages)]
                sent = time.perf_counter()
                call(package)
                latencies.append(time.perf_counter() - sent)
            seconds = time.perf_counter() - started
        load = summary("in-process", 1, latencies, 0, seconds)
        load_row(ctx, f"shortlist k={c.k} {name}", load, window, "", None, served=False)


def pages(ctx: Context, run_id: int, expected: int) -> None:
    """The run's first ``page`` placements as JSON and as CSV, ``page_repeat`` times each;
    the verdict is on the median time."""
    c = ctx.config
    path = f"/runs/{run_id}/placements?limit={c.page}"
    for kind, accept in (("JSON", JSON_TYPE), ("CSV", "text/csv")):
        times: list[float] = []
        wrong = ""
        with ctx.during() as window:
            for _ in range(c.page_repeat):
                reply = ctx.client.request("GET", path, headers={"Accept": accept}, expect=None)
                times.append(reply.seconds)
                rows = _page_rows(reply.body, kind) if reply.status == 200 else -1
                if rows != expected:
                    wrong = f"status {reply.status}, {rows} rows, expected {expected}"
        load = summary("http.client", 1, times, 1 if wrong else 0, sum(times))
        median = load.p50_ms / 1000
        ctx.add(
            Measure(
                f"placements limit={c.page} ({kind})",
                load.tool,
                1,
                load.requests,
                load.errors,
                median,
                p50_ms=load.p50_ms,
                p95_ms=load.p95_ms,
                p99_ms=load.p99_ms,
                max_ms=load.max_ms,
                server_cpu_ms=window.cpu_ms_per(load.requests),
                target=f"<= {PAGE_SECONDS:g} s",
                verdict=verdict(median <= PAGE_SECONDS and not wrong),
                solve=window.solve,
                note=wrong or f"{expected} rows, {len(reply.body) / 1e6:.1f} MB; s = median",
                failed=bool(wrong),
            )
        )


def _page_rows(body: bytes, kind: str) -> int:
    if kind == "CSV":
        lines = body.decode().splitlines()
        return max(0, len(lines) - 1)
    items: list[Any] = json.loads(body)["items"]
    return len(items)


def status_polls(ctx: Context, run_id: int) -> None:
    """GET /runs/{id} of the running run, one request at a time."""
    c = ctx.config
    with ctx.during() as window:
        load = run_load(
            "python",
            ctx.server.port,
            [f"/runs/{run_id}"],
            1,
            c.polls,
            c.poll_seconds,
            auth_headers(ctx.server.key),
        )
    target = f"p99 <= {POLL_P99_MS:g} ms"
    load_row(ctx, "status poll GET /runs/{id}", load, window, target, load.p99_ms <= POLL_P99_MS)


def run_suite(
    config: SuiteConfig, out: TextIO | None = None
) -> tuple[list[Measure], dict[str, Any]]:
    """Generate the rounds, start a server, measure; the rows and what else was learnt.

    Order: both rounds uploaded (idle), the small one solved with ``prepare_seconds``
    (its placements are read later), then a second solve of it with ``solve_seconds`` is
    started and, once it solves, everything is measured: the first shortlist (the compile),
    the shortlist load per tool, the same shortlists in this process, the uploads, the
    placements, the status polls. The background run is cancelled at the end.
    """
    out = out or sys.stdout
    info: dict[str, Any] = {}
    lap = time.perf_counter()
    small = generate_round(*config.solve_size, seed=config.seed)
    policy = Policy(top_k=config.shortlist_top_k)
    big = generate_round(*config.shortlist_size, seed=config.seed, policy=policy)
    small_json, big_json = small.model_dump_json().encode(), big.model_dump_json().encode()
    small_zip = zip_of_csv(small)
    info["generate_seconds"] = round(time.perf_counter() - lap, 2)
    lap = time.perf_counter()
    shortlists = Shortlists(compile_round(big))
    info["in_process_compile_seconds"] = round(time.perf_counter() - lap, 2)
    packages = spread([p.id for p in big.packages], SHORTLIST_PACKAGES)
    del big
    print(
        f"generated {size_text(config.solve_size)} and {size_text(config.shortlist_size)} in "
        f"{info['generate_seconds']:.1f} s; compiled the second in this process in "
        f"{info['in_process_compile_seconds']:.1f} s",
        file=out,
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="service-bench-") as folder:
        url = config.database_url or f"sqlite:///{folder}/service-bench.db"
        with running_server(url, Path(folder)) as server:
            client = Client(server.port, server.key)
            ctx = Context(config, server, client, out, info=info)
            try:
                _measure(ctx, small_json, small_zip, big_json, shortlists, packages)
            except Exception:
                print(f"server log (tail):\n{server.log_tail()}", file=out, flush=True)
                raise
            finally:
                _stop_background(ctx)
    return ctx.rows, info


def _measure(
    ctx: Context,
    small_json: bytes,
    small_zip: bytes,
    big_json: bytes,
    shortlists: Shortlists,
    packages: Sequence[str],
) -> None:
    c, info = ctx.config, ctx.info
    print(TABLE_HEADER, file=ctx.out, flush=True)
    small_id = upload(ctx, f"{size_text(c.solve_size)} JSON", small_json, JSON_TYPE, idle=True)
    big_id = upload(ctx, f"{size_text(c.shortlist_size)} JSON", big_json, JSON_TYPE, idle=True)

    prepared = start_run(ctx, small_id, c.prepare_seconds)
    run = wait_run(ctx, prepared, c.prepare_seconds + 600)
    placed = ctx.client.get_json(f"/runs/{prepared}/placements?limit=1")["total"]
    info["prepared_run"] = {"id": prepared, "status": run["status"], "placements": placed}
    ctx.say(f"run {prepared} ({c.prepare_seconds:g} s) ended {run['status']}: {placed} placements")

    ctx.background = start_run(ctx, small_id, c.solve_seconds)
    run = wait_run(ctx, ctx.background, 600, solving=True)
    ctx.say(f"background run {ctx.background} of {size_text(c.solve_size)}: {ctx.solve_state()}")

    first_shortlist(ctx, big_id, packages[0])
    shortlist_load(ctx, big_id, packages)
    in_process(ctx, shortlists, big_id, packages)
    upload(ctx, f"{size_text(c.solve_size)} JSON", small_json, JSON_TYPE, idle=False)
    upload(ctx, f"{size_text(c.solve_size)} zip of CSV", small_zip, ZIP_TYPE, idle=False)
    pages(ctx, prepared, min(c.page, placed))
    if placed < c.page:
        ctx.say(f"only {placed} placements: the page has fewer than {c.page} rows")
    status_polls(ctx, ctx.background)


def _stop_background(ctx: Context) -> None:
    """Cancel the background run (it may have ended) and record how it ended."""
    if ctx.background is None:
        return
    ctx.client.request("POST", f"/runs/{ctx.background}/cancel", expect=None)
    run = wait_run(ctx, ctx.background, 60)
    progress = run.get("progress") or {}
    started, ended = run["started_at"], run["finished_at"]
    seconds = None
    if started is not None and ended is not None:
        span = dt.datetime.fromisoformat(ended) - dt.datetime.fromisoformat(started)
        seconds = round(span.total_seconds(), 1)
    ctx.info["background_run"] = {
        "id": ctx.background,
        "status": run["status"],
        "seconds": seconds,
        "solver": progress.get("solver"),
        "placements": progress.get("placements"),
    }
    ctx.say(f"background run {ctx.background} ended {run['status']} after {seconds} s")


# --- command line ---------------------------------------------------------------------------


def database_name(url: str | None) -> str:
    """The database as recorded: ``sqlite (temporary file)`` or ``postgresql@host/db``
    (never the password)."""
    if url is None:
        return "sqlite (temporary file)"
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return "sqlite"
    return f"{parsed.get_backend_name()}@{parsed.host}:{parsed.port}/{parsed.database}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of the service suite."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.service",
        description="HTTP service suite: a real `cosource serve` under load while it solves",
    )
    parser.add_argument(
        "--shortlist-size", default="100000x20000", help="TxP of the shortlist round"
    )
    parser.add_argument(
        "--solve-size", default="20000x5000", help="TxP of the round uploaded, solved and read"
    )
    parser.add_argument(
        "--shortlist-top-k",
        type=int,
        default=50,
        help="policy.top_k of the shortlist round (0: none, the whole eligible graph)",
    )
    parser.add_argument("--seed", type=int, default=1, help="of the generated rounds")
    parser.add_argument(
        "--database-url",
        default=None,
        help="the server's database (e.g. postgresql://user:pw@127.0.0.1/db; rounds and runs "
        "are added to it); default: a fresh SQLite file in a temporary folder",
    )
    parser.add_argument(
        "--load",
        default="auto",
        help=f"load generators, comma-separated from {','.join(TOOLS)}; auto: every one installed",
    )
    parser.add_argument("--connections", type=int, default=4, help="of the shortlist load")
    parser.add_argument("--k", type=int, default=10, help="shortlist length")
    parser.add_argument("--requests", type=int, default=20_000, help="shortlist requests at most")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="shortlist load seconds at most"
    )
    parser.add_argument("--page", type=int, default=5_000, help="placements per page")
    parser.add_argument("--page-repeat", type=int, default=5, help="reads of the page per format")
    parser.add_argument("--polls", type=int, default=2_000, help="status polls at most")
    parser.add_argument(
        "--poll-seconds", type=float, default=15.0, help="status poll seconds at most"
    )
    parser.add_argument(
        "--prepare-seconds",
        type=float,
        default=20.0,
        help="time limit of the run whose placements are read",
    )
    parser.add_argument(
        "--solve-seconds",
        type=float,
        default=900.0,
        help="time limit of the background run (cancelled once everything is measured)",
    )
    parser.add_argument("--solve-workers", type=int, default=2, help="workers of both solves")
    parser.add_argument("--out", type=Path, default=None, help="folder for runs.csv, results.json")
    parser.add_argument("--commit", default=None, help="record this instead of git rev-parse")
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> SuiteConfig:
    """Turn parsed arguments into a :class:`SuiteConfig`; raises ValueError on bad input."""
    if args.load == "auto":
        tools = tuple(available_tools())
    else:
        tools = tuple(part.strip() for part in args.load.split(",") if part.strip())
        missing = [t for t in tools if t in TOOLS and t not in available_tools()]
        if missing:
            raise ValueError(f"load tool {', '.join(missing)} is not installed")
    return SuiteConfig(
        shortlist_size=parse_size(args.shortlist_size),
        solve_size=parse_size(args.solve_size),
        shortlist_top_k=args.shortlist_top_k or None,
        seed=args.seed,
        database_url=args.database_url,
        tools=tools,
        connections=args.connections,
        k=args.k,
        load_requests=args.requests,
        load_seconds=args.seconds,
        page=args.page,
        page_repeat=args.page_repeat,
        polls=args.polls,
        poll_seconds=args.poll_seconds,
        prepare_seconds=args.prepare_seconds,
        solve_seconds=args.solve_seconds,
        solve_workers=args.solve_workers,
    )


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the service suite; returns the exit status (1 if a request failed or answered
    wrongly; a missed target is reported, not failed)."""
    args = parse_args(argv)
    started_load = load_average()

    def headline(config: SuiteConfig, commit: str) -> str:
        return (
            f"commit {commit}, {database_name(config.database_url)}, shortlists of "
            f"{size_text(config.shortlist_size)} (top_k {config.shortlist_top_k}) while "
            f"{size_text(config.solve_size)} solves "
            f"({config.solve_workers} workers), load {','.join(config.tools)} x "
            f"{config.connections}, {platform.processor() or platform.machine()}, "
            f"{machine()['nproc']} cores, load average {started_load}"
        )

    def run(config: SuiteConfig, commit: str) -> int:
        rows, info = run_suite(config)
        missed = [row.measure for row in rows if row.verdict == "MISSED"]
        print(f"targets missed: {', '.join(missed) if missed else 'none'}")
        ended_load = load_average()
        print(f"load average {ended_load} at the end")
        return finish_runs(
            args.out,
            CSV_COLUMNS,
            rows,
            lambda: run_header(
                commit,
                suite="service",
                database=database_name(config.database_url),
                shortlist_size=size_text(config.shortlist_size),
                shortlist_top_k=config.shortlist_top_k,
                solve_size=size_text(config.solve_size),
                seed=config.seed,
                tools=list(config.tools),
                connections=config.connections,
                k=config.k,
                page=config.page,
                prepare_seconds=config.prepare_seconds,
                solve_seconds=config.solve_seconds,
                solve_workers=config.solve_workers,
                server_environment=ONE_THREAD,
                load_average={"start": started_load, "end": ended_load},
                **info,
            ),
        )

    return run_main(lambda: config_from_args(args), args.commit, headline, run)


if __name__ == "__main__":
    sys.exit(main())
