"""Service suite: a real ``cosource serve`` on 127.0.0.1, measured while it solves.

The suite starts the service as a subprocess (its worker beside it) on a free port, with a
fresh SQLite file in a temporary folder or the database ``--database-url`` names, BLAS
pinned to one thread in the server's environment, and makes a coordinator key in its
database (every route but ``/health`` wants one). It uploads a generated round of
``--solve-size`` (20,000 talents) and one of ``--shortlist-size`` (100,000 talents, policy
``top_k`` 50: compiled whole, its 57 million eligible pairs took over 10 GB), solves
the first briefly (``--prepare-seconds``) for a run with placements to read, then starts a
second, long solve of it (``--solve-seconds``, cancelled at the end) and, while that solve
runs in the worker, measures:

1. the first shortlist of a package of the large round (the server loads and compiles the
   round: reported alone), then shortlists under load from a separate process (``python``:
   threads over :mod:`http.client`; ``wrk`` when installed), requests/s and p50/p95/p99,
   target >= 300 req/s and p99 <= 30 ms; and the same shortlists in this process
   (:meth:`matcher.shortlists.Shortlists.for_package`, then with the response serialised)
   for what HTTP adds;
2. the small round uploaded and stored, as JSON and as a zip of its CSV files: seconds,
   target <= 10 s;
3. the first run's first 5,000 placements, as JSON and CSV: seconds (median of
   ``--page-repeat``), target <= 1 s;
4. status polls of the running run, one at a time: p50/p99, target p99 <= 20 ms.

Every loop stops at a request count or a time, whichever comes first. Each row says the
background run's state when it started and ended (``solving`` throughout, normally), and the
CPU time the server process spent per request (from ``/proc``): on a shared machine the
latencies move with everyone else's load, that much less.

Usage::

    python -m benchmarks service --out results/service
    python -m benchmarks service --database-url postgresql://user:pw@127.0.0.1/db

Prints the table and writes ``runs.csv`` and ``results.json`` (the rows with the commit,
machine, sizes, load average) into ``--out``. The exit status is 1 if a request failed or
answered wrongly; a missed target is reported in the table, not failed.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the service suite (:func:`benchmarks.service.suite.main`); imported here, so
    that the benchmarks' command line does not load the web stack for the other suites."""
    from benchmarks.service.suite import main as run

    return run(argv)


__all__ = ["main"]
