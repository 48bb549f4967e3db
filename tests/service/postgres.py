"""A PostgreSQL server for the service tests, and a fresh database on it for each test.

The server is the one ``$COSOURCE_TEST_POSTGRES_URL`` names, else the Debian cluster
installed on this machine, started here when we are root (``pg_ctlcluster``: ``initdb``
refuses to run as root, the Debian wrappers run the server as ``postgres``). The tests log
in over TCP on 127.0.0.1 as the role ``cosource`` (password ``cosource``), which is made
here when missing and may create databases; each test gets its own database, dropped
afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

URL_ENV = "COSOURCE_TEST_POSTGRES_URL"
"""A server the caller runs: ``postgresql://user:password@host:port/postgres``; its user
must be allowed to create databases."""

ROLE = "cosource"
PASSWORD = "cosource"
HOST = "127.0.0.1"
CLUSTER_NAME = "main"
CONNECT_SECONDS = 30.0
"""How long a started server may take before it accepts connections."""


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server can be had; the message says why and how to provide one."""


def server_url() -> str:
    """The URL of a PostgreSQL server the tests may create databases on.

    Returns
    -------
    str
        ``$COSOURCE_TEST_POSTGRES_URL`` when set, else the URL of the local Debian
        cluster, started and given the ``cosource`` role here.

    Raises
    ------
    PostgresUnavailableError
        When the variable is unset and the local cluster cannot be started (not root,
        PostgreSQL not installed), or the server refuses the connection.
    """
    given = os.environ.get(URL_ENV)
    url = given if given else _start_local_cluster()
    _wait_until_accepting(url)
    return url


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new, empty database on ``server``, dropped when the block ends.

    Parameters
    ----------
    server
        URL of the server, as given by :func:`server_url`.

    Yields
    ------
    str
        SQLAlchemy URL of the new database; for the local cluster
        ``postgresql://cosource:cosource@127.0.0.1:5432/<name>``.
    """
    # unique per test and per process, so parallel runs on one server never collide
    name = f"cosource_test_{uuid.uuid4().hex[:16]}"
    with _admin_connection(server) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _url_of(server).set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: a connection the test left open must not keep its database alive
        _drop(server, name)


def _drop(server: str, name: str, attempts: int = 5) -> None:
    """Drop database ``name``; a server this code did not set up may refuse to end an
    autovacuum worker's session on it (no pg_signal_backend): that one ends soon, so try
    again."""
    for attempt in range(attempts):
        try:
            with _admin_connection(server) as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def _url_of(server: str) -> URL:
    # psycopg reads plain libpq URLs: the SQLAlchemy driver suffix goes
    return make_url(server).set(drivername="postgresql")


def _admin_connection(server: str) -> psycopg.Connection[tuple[object, ...]]:
    # CREATE and DROP DATABASE refuse to run inside a transaction
    conninfo = _url_of(server).render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)


def _wait_until_accepting(server: str) -> None:
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            with _admin_connection(server):
                return
        except psycopg.OperationalError as error:
            # a server just started (maybe by a parallel test process) may not listen yet;
            # a wrong password or a missing role will not heal
            transient = "starting up" in str(error) or "refused" in str(error)
            if time.monotonic() > deadline or not transient:
                where = _url_of(server).render_as_string(hide_password=True)
                raise PostgresUnavailableError(f"cannot connect to {where}: {error}") from error
            time.sleep(0.2)


def _start_local_cluster() -> str:
    installed = list(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not shutil.which("pg_ctlcluster") or not installed:
        raise PostgresUnavailableError(
            f"PostgreSQL is not installed (apt-get install postgresql) and {URL_ENV} is unset"
        )
    if os.geteuid() != 0:
        # a cluster root started and gave the role earlier serves anyone
        cluster = _clusters().get(CLUSTER_NAME)
        if cluster is not None and cluster[2]:
            return _local_url(cluster[1])
        raise PostgresUnavailableError(
            f"only root can start the local PostgreSQL cluster; run as root or set {URL_ENV} "
            "to a server whose user may create databases"
        )
    version, port, running = _local_cluster()
    if not running:
        started = _run("pg_ctlcluster", version, CLUSTER_NAME, "start", check=False)
        # another test process may have started it in the meantime: only its state counts
        if not _local_cluster()[2]:
            raise PostgresUnavailableError(
                f"pg_ctlcluster {version} {CLUSTER_NAME} start failed: {started.stderr.strip()}"
            )
    _ensure_role(port)
    return _local_url(port)


def _local_url(port: str) -> str:
    url = URL.create("postgresql", ROLE, PASSWORD, HOST, int(port), database="postgres")
    return url.render_as_string(hide_password=False)


def _local_cluster() -> tuple[str, str, bool]:
    """Version, port and whether it runs, of the cluster ``main`` (made when missing)."""
    clusters = _clusters()
    if CLUSTER_NAME not in clusters:
        # the newest installed server: the one ``apt-get install postgresql`` brought
        newest = max(
            (path.parent.name for path in Path("/usr/lib/postgresql").glob("*/bin/postgres")),
            key=float,
            default=None,
        )
        if newest is None:
            raise PostgresUnavailableError("no PostgreSQL server binary under /usr/lib/postgresql")
        _run("pg_createcluster", newest, CLUSTER_NAME)
        clusters = _clusters()
    return clusters[CLUSTER_NAME]


def _clusters() -> dict[str, tuple[str, str, bool]]:
    # columns: version, cluster, port, status, owner, data directory, log file
    listing = _run("pg_lsclusters", "--no-header").stdout
    found: dict[str, tuple[str, str, bool]] = {}
    for line in listing.splitlines():
        version, name, port, status, *_ = line.split()
        # several versions may each have a "main"; the newest one wins
        if name not in found or float(version) > float(found[name][0]):
            found[name] = (version, port, status.startswith("online"))
    return found


def _ensure_role(port: str) -> None:
    # as the postgres superuser over the local socket (peer authentication); ALTER also
    # mends a role an earlier, different set-up left without login or password
    statement = f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
                CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}' CREATEDB;
            ELSE
                ALTER ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}' CREATEDB;
            END IF;
        END
        $$;
        -- DROP DATABASE ... WITH (FORCE) ends every session on the database, an autovacuum
        -- worker's (the superuser's) included: that takes this role
        GRANT pg_signal_backend TO {ROLE};
    """
    _run(
        "runuser", "-u", "postgres", "--",
        "psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-p", port,
        "-d", "postgres", "-c", statement,
    )  # fmt: skip


def _run(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # cwd "/": psql run as postgres complains when it cannot enter root's working folder
    done = subprocess.run(command, capture_output=True, text=True, cwd="/", check=False)
    if check and done.returncode != 0:
        raise PostgresUnavailableError(f"{' '.join(command[:3])} failed: {done.stderr.strip()}")
    return done
