"""A real ``cosource serve`` for the service suite: started as a subprocess on a free port of
127.0.0.1, with BLAS pinned to one thread, and a small HTTP client on the standard library
(no test dependency: the suite runs wherever the service runs)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

HOST: Final = "127.0.0.1"
"""The only address the suite talks to."""
ONE_THREAD: Final[dict[str, str]] = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
"""The server's environment on the latency path: a BLAS thread pool would compete with the
solve for the same two cores (see :mod:`matcher.shortlists`)."""
STOP_SECONDS: Final = 20.0
"""How long the server gets to stop (its worker releases the run it holds) before a kill."""


class ServiceError(RuntimeError):
    """The server did not start, or answered a request with an unexpected status."""


@dataclass(frozen=True)
class Reply:
    """One response: status, headers (lower-case names), body and the client-side time."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Requests to the server, each on a connection of its own: the server closes idle
    keep-alive connections after 5 s, and the suite's requests come seconds apart. (A
    connect on loopback costs about 0.1 ms, in every timed request alike.)"""

    def __init__(self, port: int, key: str | None = None, timeout: float = 600.0) -> None:
        self.port = port
        self.timeout = timeout
        self.auth = auth_headers(key)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        expect: int | None = 200,
    ) -> Reply:
        """Send one request and read the whole response; the time runs from the connect to
        the last byte read.

        Raises
        ------
        ServiceError
            When ``expect`` is given and the status differs (the message has the body).
        """
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            sent = {**self.auth, **(headers or {})}
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        reply = Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, data, seconds
        )
        if expect is not None and reply.status != expect:
            raise ServiceError(
                f"{method} {path}: status {reply.status}, expected {expect}: {data[:500]!r}"
            )
        return reply

    def get_json(self, path: str) -> Any:
        return self.request("GET", path).json()

    def post_json(self, path: str, document: Any, expect: int) -> Any:
        body = json.dumps(document).encode()
        headers = {"Content-Type": "application/json"}
        return self.request("POST", path, body, headers, expect).json()


def auth_headers(key: str | None) -> dict[str, str]:
    """The header that sends ``key`` (none without a key)."""
    return {} if key is None else {"Authorization": f"Bearer {key}"}


def coordinator_key(database_url: str) -> str:
    """A new coordinator key, made in the server's (migrated) database as ``cosource keys
    create`` makes one: every route but ``/health`` wants a key."""
    from api.service.database import Database
    from api.service.keys import Role, create_key

    database = Database(database_url)
    try:
        with database.write() as session:
            key, _ = create_key(session, Role.COORDINATOR, label="service benchmark")
    finally:
        database.dispose()
    return key


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A running ``cosource serve``: its port, database, process, log file and the
    coordinator key the suite sends."""

    port: int
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path
    key: str | None = None

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def running_server(
    database_url: str, folder: Path, start_seconds: float = 120.0
) -> Iterator[Server]:
    """``cosource serve`` with its worker on a free port, until the block ends; the server
    it yields has a coordinator key.

    Parameters
    ----------
    database_url
        The server's database (``sqlite:///...`` or ``postgresql://...``).
    folder
        Where its log goes (``server.log``).
    start_seconds
        How long it may take until ``/health`` reports a live worker.

    Raises
    ------
    ServiceError
        If the server exits or no worker shows up in time (the message ends with its log).
    """
    port = free_port()
    log = folder / "server.log"
    command = [
        sys.executable, "-m", "api.cli", "serve",
        "--host", HOST, "--port", str(port), "--database-url", database_url,
    ]  # fmt: skip
    environment = {**os.environ, **ONE_THREAD, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=environment, cwd=folder
        )
    server = Server(port, database_url, process, log)
    try:
        _wait_for_worker(server, start_seconds)
        server.key = coordinator_key(database_url)
        yield server
    finally:
        _stop(process)


def _wait_for_worker(server: Server, seconds: float) -> None:
    client = Client(server.port, timeout=10)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServiceError(
                f"the server exited with status {server.process.returncode}:\n{server.log_tail()}"
            )
        try:
            health = client.request("GET", "/health", expect=None)
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
            continue
        if health.status == 200 and health.json()["status"] == "ok":
            return
        time.sleep(0.2)
    raise ServiceError(f"no live worker after {seconds:g} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # SIGINT, as Ctrl-C: uvicorn shuts down and serve's finally stops the worker
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
