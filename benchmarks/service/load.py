"""Load generators for the service suite, each in a process of its own so that the client's
work is not timed inside the server's: ``python`` (threads over keep-alive connections of the
standard library's :mod:`http.client`, in a spawned process) and ``wrk`` (when installed:
C, much less CPU per request, which on a 2-core machine leaves more to the server).

Both are closed loops: each connection sends its next request when the last one is answered.
Both stop at a request count or a time, whichever comes first, and count any status other
than 200 as an error.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import math
import multiprocessing as mp
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from benchmarks.service.server import HOST

TOOLS: Final = ("python", "wrk")
WRK_MARK: Final = "SERVICE-BENCH "
"""Prefix of the line the wrk script prints its numbers on."""


@dataclass(frozen=True)
class Load:
    """What one load run measured; latencies in milliseconds."""

    tool: str
    connections: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    first_error: str = ""

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def available_tools() -> list[str]:
    """The generators that can run here: ``python`` always, ``wrk`` when installed."""
    return [tool for tool in TOOLS if tool == "python" or shutil.which(tool)]


def run_load(
    tool: str,
    port: int,
    paths: Sequence[str],
    connections: int,
    max_requests: int,
    max_seconds: float,
    headers: Mapping[str, str] | None = None,
) -> Load:
    """GET ``paths`` in turn over ``connections`` connections until ``max_requests`` are
    answered or ``max_seconds`` have passed.

    Parameters
    ----------
    tool
        ``python`` or ``wrk``.
    port
        The server's port on 127.0.0.1.
    paths
        Request paths (with their query), cycled; connection ``i`` starts at ``paths[i]``.
    connections, max_requests, max_seconds
        Concurrency and the two bounds.
    headers
        Sent with every request (the API key).
    """
    if not paths:
        raise ValueError("no paths to request")
    sent = dict(headers or {})
    if tool == "python":
        # spawned: the clients get a process (and an interpreter lock) of their own
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
            future = pool.submit(
                python_load, port, list(paths), connections, max_requests, max_seconds, sent
            )
            return future.result(timeout=max_seconds + 120)
    if tool == "wrk":
        return wrk_load(port, paths, connections, max_requests, max_seconds, sent)
    raise ValueError(f"unknown load tool {tool!r}; known: {', '.join(TOOLS)}")


def summary(
    tool: str, connections: int, latencies: Sequence[float], errors: int, seconds: float
) -> Load:
    """A :class:`Load` of per-request latencies in seconds."""
    ms = np.asarray(latencies, dtype=np.float64) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99]) if ms.size else (math.nan,) * 3
    top = float(ms.max()) if ms.size else math.nan
    return Load(
        tool, connections, int(ms.size), errors, seconds, float(p50), float(p95), float(p99), top
    )


def python_load(
    port: int,
    paths: list[str],
    connections: int,
    max_requests: int,
    max_seconds: float,
    headers: dict[str, str] | None = None,
) -> Load:
    """The ``python`` generator, run in its own process by :func:`run_load`."""
    quota = math.ceil(max_requests / connections)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    first_error: list[str] = []
    started: list[float] = []
    # every connection is open before the clock starts: the handshakes are not timed
    barrier = threading.Barrier(connections, action=lambda: started.append(time.perf_counter()))

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        connection.connect()
        barrier.wait()
        deadline = started[0] + max_seconds
        mine, step = latencies[index], index
        while len(mine) < quota and time.perf_counter() < deadline:
            path = paths[step % len(paths)]
            step += connections
            sent = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers or {})
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200
                error = "" if ok else f"{path}: status {response.status}: {body[:200]!r}"
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=60)
                ok, error = False, f"{path}: {exc!r}"
            mine.append(time.perf_counter() - sent)
            if not ok:
                errors[index] += 1
                first_error.append(error)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started[0]
    every = [x for mine in latencies for x in mine]
    load = summary("python", connections, every, sum(errors), seconds)
    return dataclasses.replace(load, first_error=first_error[0] if first_error else "")


WRK_SCRIPT: Final = """
local paths = {%(paths)s}
local quota = %(quota)d
local answered = 0
local step = 0
local offset = 0
local next_offset = 0

function setup(thread)
  thread:set("offset", next_offset)
  next_offset = next_offset + 1
end

function init(args)
  step = offset
end

function request()
  local path = paths[(step %% #paths) + 1]
  step = step + %(threads)d
  return wrk.format("GET", path)
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= quota then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "%(mark)s{\\"requests\\": %%d, \\"duration_us\\": %%d, \\"errors\\": %%d, "
    .. "\\"p50\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d, \\"max\\": %%d, "
    .. "\\"mean\\": %%f}\\n",
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
"""
"""wrk's Lua script: paths in turn, a per-thread request quota, the numbers as one JSON line
(latencies in microseconds)."""


def wrk_load(
    port: int,
    paths: Sequence[str],
    connections: int,
    max_requests: int,
    max_seconds: float,
    headers: Mapping[str, str] | None = None,
) -> Load:
    """The ``wrk`` generator: ``min(2, connections)`` threads (the machine's cores)."""
    threads = min(2, connections)
    # a thread stops once it has its quota, but its other connections' requests in flight
    # are still answered and counted: at most one each, kept within max_requests
    quota = max(1, math.ceil((max_requests - (connections - threads)) / threads))
    listed = ", ".join(json.dumps(path) for path in paths)
    script = WRK_SCRIPT % {"paths": listed, "quota": quota, "threads": threads, "mark": WRK_MARK}
    # the headers every request sends (wrk.format adds wrk.headers to each)
    script += "".join(
        f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}\n"
        for name, value in (headers or {}).items()
    )
    with tempfile.TemporaryDirectory(prefix="service-bench-wrk-") as folder:
        lua = Path(folder) / "load.lua"
        lua.write_text(script)
        command = [
            "wrk", "-t", str(threads), "-c", str(connections),
            "-d", f"{max(1, math.ceil(max_seconds))}s", "--timeout", "30s",
            "-s", str(lua), f"http://{HOST}:{port}/",
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=max_seconds + 60, check=False
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith(WRK_MARK)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:500]}")
    numbers = json.loads(lines[-1][len(WRK_MARK) :])
    answered = int(numbers["requests"])
    seconds = numbers["duration_us"] / 1e6
    if answered >= quota * threads:
        # stopped by the count: wrk still reports its whole -d as the duration. In a closed
        # loop each connection is busy all the time, so its time is its requests' latencies
        seconds = numbers["mean"] * answered / connections / 1e6
    return Load(
        "wrk",
        connections,
        answered,
        int(numbers["errors"]),
        seconds,
        numbers["p50"] / 1000,
        numbers["p95"] / 1000,
        numbers["p99"] / 1000,
        numbers["max"] / 1000,
    )
