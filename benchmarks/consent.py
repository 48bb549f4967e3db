"""Consent workflow benchmark: a real ``cosource serve`` on 127.0.0.1, the targets of the
offers and consent issue.

The benchmark starts ``cosource serve`` (its worker beside it) as the leader of a process
group of its own, on a free port, over a fresh SQLite file in a temporary folder (or the
database ``--database-url`` names), and makes a coordinator key straight in the database
once the server has migrated it. It uploads ``generate_round(--talents, seed=--seed)``,
solves it (``--first-limit`` seconds, so that the offers are good ones), publishes the run's
placements as offers, declines ``--declines`` of them (the coordinator acting for the
talent) and accepts ``--agreed`` others for all three parties, so that they are agreed
tours, then measures:

1. **Re-solve.** ``POST /rounds/{id}/resolve`` with each of ``--resolve-limits``: the wall
   time from the request to the run's status being ``solved`` (``GET /runs/{id}`` polled
   every 0.1 s), target <= 15 s; and what it changed (``GET /runs/{id}/changes``): the other
   open offers it moved, the new placements (seats the declines freed, or new), the agreed
   tours kept. Where the time went comes from the client's clock and the run's timestamps
   and progress: the request until the run is stored (with the round's new version), the
   wait for the worker, the child's start with the round loaded (until its first progress
   report is seen: 0.1 s resolution), compiling, solving, and what follows the solve
   (judging, explaining, sending and storing the results). Each re-solve starts from the
   same offers (no re-solve is published).
2. **Decisions while a solve runs.** Another solve of the round (``--load-solve-limit``
   seconds, cancelled afterwards; or of a round of ``--background-talents``, for a round too
   small to keep a solver busy) runs while ``--threads`` client threads, each on a
   keep-alive connection of its own (httpx), send ``accept`` decisions, each on a different
   (offer, party) pair of the open offers, ``--requests`` in all (or until
   ``--load-seconds``): requests/s and p50/p95/p99 latency, target >= 200/s and
   p99 <= 50 ms. Every answer must be 200; others are counted. ``--keys coordinator`` sends
   them with the coordinator's key (acting for the party), ``--keys parties`` with each
   party's own key (made in the database beforehand), ``--keys both`` runs both.

Every loop stops at a count or a time. The table is printed; ``--out`` writes the numbers as
JSON with the commit, the machine and the load average before and after each phase.

Usage::

    python -m benchmarks.consent --out results/consent.json
    python -m benchmarks.consent --database-url postgresql://user:pw@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from benchmarks.runinfo import commit_id, machine

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
COSOURCE = "import sys; from api.cli import main; sys.exit(main())"
"""The console script's entry, run by this interpreter."""
START_SECONDS = 120.0
"""Longest wait for the server to answer ``/health`` with a live worker."""
POLL_SECONDS = 0.1
"""How often a run's status is read while waiting for it."""
PAGE = 10_000
"""The largest page the service serves."""
PARTIES = ("talent", "host", "lender")
RESOLVE_TARGET_S = 15.0
RATE_TARGET = 200.0
P99_TARGET_MS = 50.0
FINISHED = ("solved", "no_solution", "cancelled", "failed")


@dataclass(frozen=True)
class Config:
    """What to run; see the module's docstring and ``--help``."""

    talents: int
    packages: int | None
    seed: int
    first_limit: float
    resolve_limits: tuple[float, ...]
    workers: int
    declines: int
    agreed: int
    requests: int
    threads: tuple[int, ...]
    load_seconds: float
    load_solve_limit: float
    background_talents: int
    keys: tuple[str, ...]
    database_url: str | None
    out: Path | None


# --- the server --------------------------------------------------------------------------


@dataclass
class Server:
    """A running ``cosource serve``, its base URL and a coordinator key."""

    process: subprocess.Popen[bytes]
    base_url: str
    database_url: str
    log: Path
    key: str = ""

    def client(self, key: str | None = None, timeout: float = 60.0) -> httpx.Client:
        """A new client on the server, sending ``key`` (the coordinator's by default)."""
        headers = {"Authorization": f"Bearer {key or self.key}"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        """Raise, with the end of the server's log, when the server has ended."""
        code = self.process.poll()
        if code is not None:
            raise RuntimeError(f"cosource serve ended with {code}:\n{self.log_tail()}")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def make_key(database_url: str, role: str = "coordinator", **subject: str) -> str:
    """A new API key made straight in the (migrated) database, as ``cosource keys create``
    does."""
    from api.service.database import Database
    from api.service.keys import Role, create_key

    database = Database(database_url)
    try:
        with database.write() as session:
            key, _ = create_key(session, Role(role), label="consent benchmark", **subject)
    finally:
        database.dispose()
    return key


def party_keys(
    database_url: str, subjects: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """A key for each (role, organization or talent) in ``subjects``, in one transaction."""
    from api.service.database import Database
    from api.service.keys import Role, create_key

    database = Database(database_url)
    made: dict[tuple[str, str], str] = {}
    try:
        with database.write() as session:
            for role, whose in dict.fromkeys(subjects):
                subject = {"talent": whose} if role == "talent" else {"organization": whose}
                made[(role, whose)], _ = create_key(
                    session, Role(role), label="consent benchmark", **subject
                )
    finally:
        database.dispose()
    return made


@contextmanager
def serving(database_url: str, log: Path) -> Iterator[Server]:
    """``cosource serve`` on a free port of 127.0.0.1 over ``database_url``, in a process
    group of its own, once it answers ``/health`` with a live worker; the whole group
    (server, worker, solve child) is killed when the block ends, whatever happened."""
    port = free_port()
    environment = dict(os.environ)
    # the URL comes from the command line only
    environment.pop("COSOURCE_DATABASE_URL", None)
    command = [sys.executable, "-c", COSOURCE, "serve", "--port", str(port)]
    command += ["--database-url", database_url]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, f"http://{HOST}:{port}", database_url, log)
    try:
        deadline = time.monotonic() + START_SECONDS
        with httpx.Client(base_url=server.base_url, timeout=10.0) as probe:
            while True:
                server.check_alive()
                with suppress(httpx.TransportError):
                    if probe.get("/health").json().get("workers"):
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer from cosource serve:\n{server.log_tail()}")
                time.sleep(0.1)
        # the server migrated the database before it answered: a key can be stored
        server.key = make_key(database_url)
        yield server
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


# --- requests ------------------------------------------------------------------------------


def expect(response: httpx.Response, status: int = 200) -> Any:
    """The JSON of ``response``; raises, naming the request, when its status is not
    ``status``."""
    if response.status_code != status:
        request = response.request
        raise RuntimeError(
            f"{request.method} {request.url.path}: {response.status_code} {response.text[:500]}"
        )
    return response.json()


def all_items(client: httpx.Client, path: str, limit: int = 1_000_000) -> list[dict[str, Any]]:
    """Every item of a paginated listing (at most ``limit``)."""
    items: list[dict[str, Any]] = []
    while len(items) < limit:
        page = expect(client.get(path, params={"offset": len(items), "limit": PAGE}))
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            break
    return items


def at_seconds(stamp: str) -> float:
    """A timestamp of the API as seconds since the epoch (a naive one is UTC)."""
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


@dataclass
class Watch:
    """A run followed through ``GET /runs/{id}``: when (client clock, seconds since the
    epoch) each phase was first seen, and the run as it ended."""

    first_seen: dict[str, float] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)
    ended_at: float = 0.0


def follow(client: httpx.Client, server: Server, run_id: int, timeout: float) -> Watch:
    """Poll run ``run_id`` every :data:`POLL_SECONDS` until it ends (at most ``timeout``
    seconds), noting when its status and progress phase were first seen."""
    watch = Watch()
    deadline = time.monotonic() + timeout
    while True:
        run = expect(client.get(f"/runs/{run_id}"))
        now = time.time()
        phase = (run.get("progress") or {}).get("phase")
        for name in (run["status"], f"phase {phase}"):
            watch.first_seen.setdefault(name, now)
        if run["status"] in FINISHED:
            watch.run, watch.ended_at = run, now
            return watch
        if time.monotonic() > deadline:
            raise RuntimeError(f"run {run_id} still {run['status']} after {timeout:.0f} s")
        server.check_alive()
        time.sleep(POLL_SECONDS)


def wait_solving(client: httpx.Client, server: Server, run_id: int, timeout: float) -> None:
    """Wait (at most ``timeout`` seconds) until run ``run_id``'s solver reports progress:
    it has loaded and compiled the round and is searching."""
    deadline = time.monotonic() + timeout
    while True:
        run = expect(client.get(f"/runs/{run_id}"))
        if (run.get("progress") or {}).get("phase") == "solving":
            return
        if run["status"] in FINISHED:
            raise RuntimeError(f"run {run_id} ended {run['status']} before the measurement")
        if time.monotonic() > deadline:
            raise RuntimeError(f"run {run_id} not solving after {timeout:.0f} s")
        server.check_alive()
        time.sleep(POLL_SECONDS)


def cpu_seconds(leader: int) -> tuple[float, float]:
    """CPU seconds (user and system) used so far by process ``leader`` and by its whole
    process group (on Linux, from ``/proc``; zeros elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK")
    own = total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        # the fields after the command name (which may hold spaces): state, ppid, pgrp, ...
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) != leader:
            continue
        used = (int(fields[11]) + int(fields[12])) / tick
        total += used
        if int(entry.name) == leader:
            own = used
    return own, total


# --- the round and its offers --------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """The round uploaded, solved and published, with decisions made."""

    round_id: int
    run_id: int
    offers: int
    placements: int
    declined: list[tuple[str, str]]
    agreed: list[tuple[str, str]]
    open_offers: list[dict[str, Any]]
    seconds: dict[str, float]


def upload(client: httpx.Client, talents: int, packages: int | None, seed: int) -> int:
    """Upload ``generate_round(talents, packages, seed=seed)``; the round's id."""
    from matcher.generator import generate_round

    document = generate_round(talents, packages, seed=seed).model_dump_json()
    headers = {"content-type": "application/json"}
    created = expect(client.post("/rounds", content=document, headers=headers), 201)
    return int(created["id"])


def prepare(client: httpx.Client, server: Server, config: Config) -> Prepared:
    """Upload the round, solve it, publish the run, decline and agree some offers."""
    seconds: dict[str, float] = {}
    lap = time.perf_counter()
    round_id = upload(client, config.talents, config.packages, config.seed)
    seconds["upload"] = time.perf_counter() - lap
    lap = time.perf_counter()
    solve = {"time_limit": config.first_limit, "workers": config.workers, "seed": config.seed}
    run = expect(client.post(f"/rounds/{round_id}/runs", json=solve), 202)
    watch = follow(client, server, int(run["id"]), config.first_limit + 600)
    seconds["first_solve"] = time.perf_counter() - lap
    if watch.run["status"] != "solved":
        raise RuntimeError(f"the first solve ended {watch.run['status']}: {watch.run['summary']}")
    run_id = int(run["id"])
    lap = time.perf_counter()
    expect(client.post(f"/runs/{run_id}/publish"))
    seconds["publish"] = time.perf_counter() - lap
    offers = all_items(client, f"/rounds/{round_id}/offers")
    needed = config.declines + config.agreed + 1
    if len(offers) < needed:
        raise RuntimeError(f"{len(offers)} offers published; the benchmark needs {needed}")
    # spread over the round, not the first few packages only
    chosen = np.linspace(0, len(offers) - 1, config.declines + config.agreed).round().astype(int)
    declined = [offers[i] for i in chosen[: config.declines]]
    agreed = [offers[i] for i in chosen[config.declines :]]
    lap = time.perf_counter()
    for offer in declined:
        body = {"decision": "decline", "party": "talent", "reason": "benchmark: not now"}
        answer = expect(client.post(f"/offers/{offer['id']}/decisions", json=body))
        if answer["status"] != "declined":
            raise RuntimeError(f"offer {offer['id']} is {answer['status']} after a decline")
    for offer in agreed:
        for party in PARTIES:
            body = {"decision": "accept", "party": party, "reason": "benchmark"}
            answer = expect(client.post(f"/offers/{offer['id']}/decisions", json=body))
        if answer["status"] != "agreed":
            raise RuntimeError(f"offer {offer['id']} is {answer['status']} after three accepts")
    seconds["decisions"] = time.perf_counter() - lap
    decided = {int(o["id"]) for o in (*declined, *agreed)}
    return Prepared(
        round_id=round_id,
        run_id=run_id,
        offers=len(offers),
        placements=int(watch.run["result"]["placements"]),
        declined=[(str(o["talent"]), str(o["package"])) for o in declined],
        agreed=[(str(o["talent"]), str(o["package"])) for o in agreed],
        open_offers=[o for o in offers if int(o["id"]) not in decided],
        seconds={k: round(v, 3) for k, v in seconds.items()},
    )


# --- 1. re-solve ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolve:
    """One re-solve: its time limit, the wall time to ``solved`` and where it went, and what
    it changed."""

    time_limit: float
    run_id: int
    status: str
    total_s: float
    request_s: float
    queue_s: float
    child_load_s: float
    compile_s: float
    solve_s: float
    after_solve_s: float
    seen_s: float
    placements: int
    open_offers_kept: int
    open_offers_changed: int
    new_placements: int
    refills: int
    agreed_kept: int
    agreed_lost: int
    declined_placed: int
    notes: list[str]
    load_before: float
    load_after: float

    @property
    def meets(self) -> bool:
        return self.status == "solved" and self.total_s <= RESOLVE_TARGET_S


def resolve(
    client: httpx.Client, server: Server, prepared: Prepared, limit: float, workers: int
) -> Resolve:
    """Re-solve the round with ``limit`` seconds and follow the run to its end."""
    load_before = os.getloadavg()[0]
    started = time.time()
    body = {"time_limit": limit, "workers": workers, "seed": 0}
    run = expect(client.post(f"/rounds/{prepared.round_id}/resolve", json=body), 202)
    accepted = time.time()
    run_id = int(run["id"])
    watch = follow(client, server, run_id, limit + 600)
    run = watch.run
    events = {e["kind"]: at_seconds(e["at"]) for e in expect(client.get(f"/runs/{run_id}/events"))}
    result = run.get("result") or {}
    progress = run.get("progress") or {}
    compile_s = float(result.get("compile_seconds") or 0.0)
    # the final progress has the compile and solve seconds even when the result leaves them
    # out (a reproducible run)
    solve_s = float(result.get("solve_seconds") or (progress.get("elapsed") or 0.0) - compile_s)
    # the run is stored at the end of the request's work (its answer may come after the
    # worker has claimed it)
    queued = events.get("queued", accepted)
    claimed = events.get("started", queued)
    finished = at_seconds(run["finished_at"]) if run.get("finished_at") else watch.ended_at
    # the child reports "compiling" once it has started and loaded the round
    compiling = watch.first_seen.get("phase compiling", watch.first_seen.get("phase solving"))
    child_load = (compiling - claimed) if compiling is not None else 0.0
    after = finished - claimed - child_load - compile_s - solve_s
    changed = expect(client.get(f"/runs/{run_id}/changes")) if run["status"] == "solved" else {}
    new = changed.get("new_placements", [])
    placed = placed_pairs(client, run_id) if run["status"] == "solved" else set()
    return Resolve(
        time_limit=limit,
        run_id=run_id,
        status=str(run["status"]),
        total_s=round(watch.ended_at - started, 3),
        request_s=round(queued - started, 3),
        queue_s=round(claimed - queued, 3),
        child_load_s=round(child_load, 3),
        compile_s=round(compile_s, 3),
        solve_s=round(solve_s, 3),
        after_solve_s=round(after, 3),
        seen_s=round(watch.ended_at - finished, 3),
        placements=int(result.get("placements") or 0),
        open_offers_kept=int(changed.get("open_offers_kept", 0)),
        open_offers_changed=len(changed.get("open_offers_changed", [])),
        new_placements=len(new),
        refills=sum(str(n["why"]).startswith("refills") for n in new),
        agreed_kept=int(changed.get("agreed_kept", 0)),
        agreed_lost=len(changed.get("agreed_lost", [])),
        declined_placed=len(placed & set(prepared.declined)),
        notes=[str(n) for n in result.get("notes", [])],
        load_before=round(load_before, 2),
        load_after=round(os.getloadavg()[0], 2),
    )


def placed_pairs(client: httpx.Client, run_id: int) -> set[tuple[str, str]]:
    """The (talent, package) pairs of a finished run's placements."""
    rows = all_items(client, f"/runs/{run_id}/placements")
    return {(str(r["talent"]), str(r["package"])) for r in rows}


# --- 2. decisions under load ----------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """Decision requests sent while a solve ran; latencies in milliseconds."""

    keys: str
    threads: int
    requests: int
    ok: int
    errors: dict[str, int]
    seconds: float
    rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    server_cpu_ms: float
    client_cpu_ms: float
    solver_cores: float
    run_status_before: str
    run_status_after: str
    load_before: float
    load_after: float

    @property
    def meets(self) -> bool:
        return (
            not self.errors
            and self.requests > 0
            and self.rate >= RATE_TARGET
            and self.p99_ms <= P99_TARGET_MS
        )


@dataclass(frozen=True)
class Decision:
    """One request to send: an offer, the party that accepts, and the key to send."""

    offer_id: int
    party: str
    key: str
    acting: bool


def decisions_of(
    offers: Sequence[dict[str, Any]], count: int, keys: dict[tuple[str, str], str] | None, key: str
) -> list[Decision]:
    """``count`` accepts on distinct (offer, party) pairs of ``offers``, offer by offer (so
    that some offers become agreed, as they do in a real round); with ``keys`` each is sent
    with its party's own key, else with ``key`` (the coordinator acting for the party)."""
    made: list[Decision] = []
    for offer in offers:
        for party in PARTIES:
            if len(made) == count:
                return made
            if keys is None:
                made.append(Decision(int(offer["id"]), party, key, acting=True))
            else:
                whose = str(offer[party])
                made.append(Decision(int(offer["id"]), party, keys[(party, whose)], acting=False))
    return made


def fire(
    server: Server, decisions: Sequence[Decision], threads: int, seconds: float
) -> tuple[list[float], dict[str, int], float]:
    """Send ``decisions`` from ``threads`` threads, each on a keep-alive connection of its
    own, each taking every ``threads``-th; stop at the end of the list or after ``seconds``.
    Returns the latencies (seconds) of the answered requests, the count of each status other
    than 200, and the wall time from the first request to the last answer."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[dict[str, int]] = [{} for _ in range(threads)]
    start = threading.Barrier(threads + 1)

    def work(index: int) -> None:
        mine = decisions[index::threads]
        with server.client(timeout=30.0) as client:
            # one request first, untimed: the connection is open before the clock starts
            expect(client.get("/health"))
            start.wait()
            deadline = time.perf_counter() + seconds
            for decision in mine:
                if time.perf_counter() > deadline:
                    break
                body: dict[str, str] = {"decision": "accept", "reason": "benchmark"}
                if decision.acting:
                    body["party"] = decision.party
                headers = {"Authorization": f"Bearer {decision.key}"}
                lap = time.perf_counter()
                try:
                    answer = client.post(
                        f"/offers/{decision.offer_id}/decisions", json=body, headers=headers
                    )
                    status = str(answer.status_code)
                except httpx.HTTPError as error:
                    status = type(error).__name__
                latencies[index].append(time.perf_counter() - lap)
                if status != "200":
                    errors[index][status] = errors[index].get(status, 0) + 1

    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    start.wait(timeout=60)
    began = time.perf_counter()
    for worker in workers:
        worker.join(seconds + 60)
    wall = time.perf_counter() - began
    merged: dict[str, int] = {}
    for counts in errors:
        for status, n in counts.items():
            merged[status] = merged.get(status, 0) + n
    return [x for xs in latencies for x in xs], merged, wall


def decision_load(
    client: httpx.Client,
    server: Server,
    run_id: int,
    decisions: Sequence[Decision],
    threads: int,
    seconds: float,
    keys: str,
) -> Load:
    """Fire ``decisions`` while run ``run_id`` solves; the rate and latencies."""
    before = expect(client.get(f"/runs/{run_id}"))["status"]
    load_before = os.getloadavg()[0]
    server_cpu, group_cpu = cpu_seconds(server.process.pid)
    client_cpu = time.process_time()
    latencies, errors, wall = fire(server, decisions, threads, seconds)
    client_cpu = time.process_time() - client_cpu
    server_after, group_after = cpu_seconds(server.process.pid)
    after = expect(client.get(f"/runs/{run_id}"))["status"]
    ms = np.array(latencies) * 1000.0 if latencies else np.zeros(1)
    sent = len(latencies)
    per_request = 1000.0 / max(sent, 1)
    return Load(
        keys=keys,
        threads=threads,
        requests=sent,
        ok=sent - sum(errors.values()),
        errors=errors,
        seconds=round(wall, 3),
        rate=round(sent / wall, 1) if wall > 0 else 0.0,
        p50_ms=round(float(np.percentile(ms, 50)), 2),
        p95_ms=round(float(np.percentile(ms, 95)), 2),
        p99_ms=round(float(np.percentile(ms, 99)), 2),
        max_ms=round(float(ms.max()), 2),
        server_cpu_ms=round((server_after - server_cpu) * per_request, 2),
        client_cpu_ms=round(client_cpu * per_request, 2),
        # the worker and its solve child: the rest of the server's process group
        solver_cores=round(((group_after - server_after) - (group_cpu - server_cpu)) / wall, 2),
        run_status_before=str(before),
        run_status_after=str(after),
        load_before=round(load_before, 2),
        load_after=round(os.getloadavg()[0], 2),
    )


def loads(client: httpx.Client, server: Server, prepared: Prepared, config: Config) -> list[Load]:
    """Start a long solve of the round and, while it runs, each load of decisions (one per
    key mode and thread count, each on offers of its own); the solve is cancelled after."""
    runs = len(config.keys) * len(config.threads)
    offers = prepared.open_offers
    per_load = -(-config.requests // len(PARTIES))
    if per_load * runs > len(offers):
        raise RuntimeError(
            f"{runs} loads of {config.requests} decisions need {per_load * runs} open offers; "
            f"the round has {len(offers)}"
        )
    keys: dict[tuple[str, str], str] | None = None
    if "parties" in config.keys:
        subjects = [(p, str(o[p])) for o in offers[: per_load * runs] for p in PARTIES]
        keys = party_keys(server.database_url, subjects)
    body = {"time_limit": config.load_solve_limit, "workers": config.workers, "seed": 1}
    solved = prepared.round_id
    if config.background_talents:
        solved = upload(client, config.background_talents, None, config.seed + 1)
    run = expect(client.post(f"/rounds/{solved}/runs", json=body), 202)
    run_id = int(run["id"])
    measured: list[Load] = []
    try:
        wait_solving(client, server, run_id, 600)
        slot = 0
        for mode in config.keys:
            for threads in config.threads:
                chunk = offers[slot * per_load : (slot + 1) * per_load]
                slot += 1
                decisions = decisions_of(
                    chunk, config.requests, keys if mode == "parties" else None, server.key
                )
                done = decision_load(
                    client, server, run_id, decisions, threads, config.load_seconds, mode
                )
                measured.append(done)
    finally:
        with suppress(httpx.HTTPError, RuntimeError):
            expect(client.post(f"/runs/{run_id}/cancel"), 202)
            follow(client, server, run_id, 120)
    return measured


# --- the whole benchmark -------------------------------------------------------------------


def modified_files() -> list[str]:
    """The tracked files that differ from the commit (``git status``), if any."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
    except (OSError, subprocess.CalledProcessError):
        return []
    return sorted(line[3:] for line in done.stdout.splitlines() if line.strip())


def run_benchmark(config: Config, folder: Path) -> dict[str, Any]:
    """Start the server on the configured database (a new SQLite file in ``folder`` by
    default), prepare the round, measure; the results as one JSON-ready document."""
    database_url = config.database_url or f"sqlite:///{folder / 'consent.db'}"
    document: dict[str, Any] = {
        "benchmark": "consent",
        "commit": commit_id(),
        # measured on the commit with these files changed (the numbers are theirs too)
        "modified": modified_files(),
        "machine": machine(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": "sqlite" if database_url.startswith("sqlite") else "postgresql",
        "config": {k: v for k, v in asdict(config).items() if k not in ("database_url", "out")},
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }
    with serving(database_url, folder / "serve.log") as server, server.client() as client:
        prepared = prepare(client, server, config)
        document["round"] = {
            "talents": config.talents,
            "round_id": prepared.round_id,
            "first_run": prepared.run_id,
            "placements": prepared.placements,
            "offers": prepared.offers,
            "declined": len(prepared.declined),
            "agreed": len(prepared.agreed),
            "seconds": prepared.seconds,
        }
        resolves = [
            resolve(client, server, prepared, limit, config.workers)
            for limit in config.resolve_limits
        ]
        document["resolves"] = [{**asdict(r), "meets": r.meets} for r in resolves]
        measured = loads(client, server, prepared, config)
        document["decisions"] = [{**asdict(m), "meets": m.meets} for m in measured]
    document["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return document


def table(document: dict[str, Any]) -> str:
    """The results as a Markdown table (as printed and as in ``docs/benchmarks.md``)."""
    lines = [
        "| re-solve limit | to solved (s) | request | queue | child + load | compile | solve"
        " | after solve | open offers changed | new placements (refills) | agreed kept"
        " | target <= 15 s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in document["resolves"]:
        lines.append(
            f"| {r['time_limit']:g} s | {r['total_s']:.1f} | {r['request_s']:.1f} "
            f"| {r['queue_s']:.1f} | {r['child_load_s']:.1f} | {r['compile_s']:.1f} "
            f"| {r['solve_s']:.1f} | {r['after_solve_s']:.1f} "
            f"| {r['open_offers_changed']} of {r['open_offers_changed'] + r['open_offers_kept']}"
            f" | {r['new_placements']} ({r['refills']}) "
            f"| {r['agreed_kept']} | {'met' if r['meets'] else 'missed'} |"
        )
    lines += [
        "",
        "| keys | threads | requests | non-200 | req/s | p50 ms | p95 ms | p99 ms | max ms"
        " | server CPU ms/req | client CPU ms/req | solver cores | solve during"
        " | target >= 200/s, p99 <= 50 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in document["decisions"]:
        errors = sum(m["errors"].values())
        lines.append(
            f"| {m['keys']} | {m['threads']} | {m['requests']} | {errors} | {m['rate']:.0f} "
            f"| {m['p50_ms']:.1f} | {m['p95_ms']:.1f} | {m['p99_ms']:.1f} | {m['max_ms']:.1f} "
            f"| {m['server_cpu_ms']:.2f} | {m['client_cpu_ms']:.2f} | {m['solver_cores']:.2f} "
            f"| {m['run_status_before']} -> {m['run_status_after']} "
            f"| {'met' if m['meets'] else 'missed'} |"
        )
    return "\n".join(lines)


def numbers(text: str, kind: type[float] | type[int]) -> tuple[Any, ...]:
    """A comma-separated list of numbers."""
    try:
        values = tuple(kind(x) for x in text.split(",") if x.strip())
    except ValueError:
        message = f"expected numbers separated by commas: {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive numbers: {text!r}")
    return values


def parse(argv: Sequence[str] | None) -> Config:
    """The configuration of the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.consent", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--talents", type=int, default=20_000)
    parser.add_argument("--packages", type=int, default=None, help="default: the generator's")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--first-limit", type=float, default=60.0, help="seconds of the first solve"
    )
    parser.add_argument(
        "--resolve-limits",
        type=lambda s: numbers(s, float),
        default=(5.0, 8.0, 10.0),
        help="the re-solves' time limits, comma-separated (default 5,8,10)",
    )
    parser.add_argument("--workers", type=int, default=2, help="solver threads of every run")
    parser.add_argument("--declines", type=int, default=10)
    parser.add_argument("--agreed", type=int, default=3, help="offers accepted by all three")
    parser.add_argument("--requests", type=int, default=2000, help="decisions in each load")
    parser.add_argument(
        "--threads",
        type=lambda s: numbers(s, int),
        default=(4, 8),
        help="client threads of each load, comma-separated (default 4,8)",
    )
    parser.add_argument("--load-seconds", type=float, default=60.0, help="longest load")
    parser.add_argument(
        "--load-solve-limit",
        type=float,
        default=300.0,
        help="time limit of the solve that runs during the loads (cancelled after)",
    )
    parser.add_argument(
        "--background-talents",
        type=int,
        default=0,
        help="solve a round of this many talents during the loads (default: the same round; "
        "for a round too small to keep a solve busy)",
    )
    parser.add_argument(
        "--keys",
        choices=["coordinator", "parties", "both"],
        default="both",
        help="whose keys send the decisions",
    )
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args(argv)
    if args.talents < 10 or args.declines < 1 or args.agreed < 0 or args.requests < 1:
        parser.error("need --talents >= 10, --declines >= 1, --agreed >= 0, --requests >= 1")
    return Config(
        talents=args.talents,
        packages=args.packages,
        seed=args.seed,
        first_limit=args.first_limit,
        resolve_limits=args.resolve_limits,
        workers=args.workers,
        declines=args.declines,
        agreed=args.agreed,
        requests=args.requests,
        threads=args.threads,
        load_seconds=args.load_seconds,
        load_solve_limit=args.load_solve_limit,
        background_talents=args.background_talents,
        keys=("coordinator", "parties") if args.keys == "both" else (args.keys,),
        database_url=args.database_url,
        out=args.out,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table and write ``--out``. Exit status 0 when every
    request was answered as expected (a missed target is reported, not failed), 1 when a
    decision got an answer other than 200, a re-solve did not end solved, or it lost an
    agreed tour or placed a declined pair."""
    config = parse(argv)
    print(
        f"consent benchmark: {config.talents} talents, seed {config.seed}, commit "
        f"{commit_id()[:10]}, load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="consent-bench-") as folder:
        document = run_benchmark(config, Path(folder))
    print(table(document))
    print(
        f"load average {document['load_average_start'][0]:.2f} at the start, "
        f"{document['load_average_end'][0]:.2f} at the end"
    )
    if config.out is not None:
        config.out.parent.mkdir(parents=True, exist_ok=True)
        config.out.write_text(json.dumps(document, indent=1) + "\n")
        print(f"wrote {config.out}")
    wrong = [
        r
        for r in document["resolves"]
        if r["status"] != "solved" or r["agreed_lost"] or r["declined_placed"]
    ]
    failed = [m for m in document["decisions"] if m["errors"]]
    return 1 if wrong or failed else 0


if __name__ == "__main__":
    sys.exit(main())
