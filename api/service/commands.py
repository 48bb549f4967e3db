"""``cosource serve`` and ``cosource worker``: the service and its solve workers.

The service's packages are imported when one of these commands runs, not when the command
line starts: the other commands do not need them and start faster without.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from types import FrameType

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DATABASE_HELP = "SQLAlchemy URL (default: $COSOURCE_DATABASE_URL, else sqlite:///cosource.db)"


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``serve`` and ``worker`` to the command line's subcommands."""
    serve = sub.add_parser("serve", help="the HTTP service, with a solve worker")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    serve.add_argument(
        "--database-url",
        default=None,
        help=DATABASE_HELP,
    )
    serve.add_argument(
        "--no-worker", action="store_true", help="start no worker (run `cosource worker`)"
    )
    serve.set_defaults(run=serve_command)
    worker = sub.add_parser("worker", help="a solve worker: takes queued runs from the database")
    _worker_options(worker)
    worker.set_defaults(run=worker_command)
    keys = sub.add_parser("keys", help="create, list and revoke the service's API keys")
    actions = keys.add_subparsers(dest="keys_action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="a new key, printed once")
    create.add_argument(
        "--role", required=True, choices=["coordinator", "host", "lender", "talent"]
    )
    create.add_argument("--org", default=None, help="the organization of a host or lender key")
    create.add_argument("--talent", default=None, help="the talent of a talent key")
    create.add_argument("--label", default="", help="a note on what the key is for")
    listing = actions.add_parser("list", help="every key, without the keys themselves")
    revoke = actions.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix", help="the 8 hex digits after cs_")
    for parser in (create, listing, revoke):
        parser.add_argument("--database-url", default=None, help=DATABASE_HELP)
    keys.set_defaults(run=keys_command)


def _worker_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help=DATABASE_HELP,
    )
    parser.add_argument(
        "--parent", type=int, default=None, help=argparse.SUPPRESS
    )  # the server that started it: the worker ends with it


def serve_command(args: argparse.Namespace) -> int:
    """Run the service on ``args.host:args.port`` and, unless told not to, a worker beside
    it; the schema is migrated first."""
    import uvicorn

    from api.service.app import create_app
    from api.service.database import Database
    from api.service.settings import Settings

    settings = Settings() if args.database_url is None else Settings(database_url=args.database_url)
    database = Database(settings.database_url)
    database.migrate()
    database.dispose()
    worker = None
    if not args.no_worker:
        command = [sys.executable, "-m", "api.service.jobs", "--parent", str(os.getpid())]
        environment = {**os.environ, "COSOURCE_DATABASE_URL": settings.database_url}
        worker = subprocess.Popen(command, env=environment)
    try:
        uvicorn.run(create_app(settings), host=args.host, port=args.port, workers=1)
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def worker_command(args: argparse.Namespace) -> int:
    """Claim and solve runs until stopped (SIGTERM or Ctrl-C: the run in hand is released
    for the next worker, which resumes it from its stored incumbent)."""
    from api.service.database import Database
    from api.service.jobs.worker import Worker
    from api.service.settings import Settings

    settings = Settings() if args.database_url is None else Settings(database_url=args.database_url)
    database = Database(settings.database_url)
    database.migrate()
    database.dispose()
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker = Worker(settings)
    print(f"worker {worker.name} on {database.url.split('@')[-1]}", file=sys.stderr, flush=True)
    worker.run_forever(stop, parent=args.parent)
    return 0


def worker_main(argv: Sequence[str]) -> int:
    """``python -m api.service.jobs``'s entry."""
    parser = argparse.ArgumentParser(prog="cosource worker")
    _worker_options(parser)
    return worker_command(parser.parse_args(argv))


def keys_command(args: argparse.Namespace) -> int:
    """``cosource keys create|list|revoke``: keys straight in the database (the first
    coordinator key comes from here)."""
    from api.service.audit import record
    from api.service.database import Database
    from api.service.keys import Caller, Role, create_key, list_keys, revoke
    from api.service.settings import Settings
    from matcher.errors import RoundError

    settings = Settings() if args.database_url is None else Settings(database_url=args.database_url)
    database = Database(settings.database_url)
    database.migrate()
    operator = Caller(Role.COORDINATOR, key="command line")
    try:
        with database.write() as session:
            if args.keys_action == "create":
                key, row = create_key(
                    session, Role(args.role), args.org, args.talent, args.label, "command line"
                )
                whose = args.org or args.talent or "the platform"
                record(
                    session,
                    operator,
                    "create key",
                    f"key {row.prefix}",
                    detail=f"{args.role} for {whose}",
                )
                print(key)
                print(
                    f"{args.role} key {row.prefix} for {whose}: shown once, keep it safe",
                    file=sys.stderr,
                )
            elif args.keys_action == "revoke":
                row = revoke(session, args.prefix)
                record(
                    session, operator, "revoke key", f"key {args.prefix}", detail=f"{row.role} key"
                )
                print(f"revoked {row.role} key {row.prefix}")
            else:
                for row in list_keys(session):
                    whose = row.organization or row.talent or "-"
                    state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
                    used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
                    line = f"{row.prefix}  {row.role:<11} {whose:<20} {state:<18} last used {used}"
                    print(f"{line}  {row.label}".rstrip())
    except (ValueError, LookupError, RuntimeError) as exc:
        raise RoundError(str(exc)) from None
    finally:
        database.dispose()
    return 0
