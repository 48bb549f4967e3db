"""Service suite: every code path on tiny rounds against a real ``cosource serve`` (SQLite,
and PostgreSQL when a server can be had), and its small helpers."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmarks import cli as bench_cli
from benchmarks.service import suite
from benchmarks.service.load import available_tools
from tests.service.postgres import PostgresUnavailableError, fresh_database, server_url

PAGE = 40
TINY = [
    "--shortlist-size", "300x80", "--solve-size", "400x100",
    "--requests", "200", "--seconds", "1",
    "--page", str(PAGE), "--page-repeat", "2",
    "--polls", "50", "--poll-seconds", "1",
    "--prepare-seconds", "1", "--solve-seconds", "30", "--solve-workers", "1",
]  # fmt: skip


def measures_of(tools: list[str]) -> list[str]:
    """The rows the suite writes, in order, with these load tools."""
    return [
        "upload 400x100 JSON (idle)",
        "upload 300x80 JSON (idle)",
        "first shortlist (compile 300x80)",
        *["shortlist k=10 HTTP"] * len(tools),
        "shortlist k=10 in-process",
        "shortlist k=10 in-process + JSON",
        "upload 400x100 JSON",
        "upload 400x100 zip of CSV",
        f"placements limit={PAGE} (JSON)",
        f"placements limit={PAGE} (CSV)",
        "status poll GET /runs/{id}",
    ]


def check_document(document: dict[str, Any], tools: list[str]) -> None:
    """What every tiny run must have measured: each row answered, in order, with numbers
    that hang together."""
    rows = {row["measure"] + row["tool"]: row for row in document["runs"]}
    assert [row["measure"] for row in document["runs"]] == measures_of(tools)
    assert [row["tool"] for row in document["runs"] if row["measure"].endswith("HTTP")] == tools
    for row in document["runs"]:
        assert row["errors"] == 0 and not row["failed"], row
        assert row["requests"] >= 1 and row["seconds"] > 0, row
    for tool in tools:
        load = rows["shortlist k=10 HTTP" + tool]
        assert load["connections"] == 4 and 1 <= load["requests"] <= 200
        assert load["rate"] > 0 and 0 < load["p50_ms"] <= load["p99_ms"] <= load["max_ms"]
        assert load["verdict"] in ("met", "MISSED")
        # the server's own CPU time per request, read from /proc
        assert 0 < load["server_cpu_ms"] < load["max_ms"] * 4
    for kind in ("JSON", "CSV"):
        page = rows[f"placements limit={PAGE} ({kind})http.client"]
        # the prepared run of 400 talents places more than a page: a full page each time
        assert page["requests"] == 2 and page["note"].startswith(f"{PAGE} rows")
    in_process = rows["shortlist k=10 in-processin-process"]
    assert in_process["server_cpu_ms"] is None
    assert in_process["p50_ms"] < rows["shortlist k=10 HTTPpython"]["p50_ms"]
    polls = rows["status poll GET /runs/{id}python"]
    assert polls["connections"] == 1 and polls["target"] == "p99 <= 20 ms"
    # the tiny background solve may end before the measurements; it started solving
    assert document["runs"][2]["solve"].startswith("solving")
    assert document["prepared_run"]["placements"] >= PAGE
    assert document["background_run"]["status"] in ("solved", "cancelled")
    assert document["server_environment"]["OMP_NUM_THREADS"] == "1"
    assert document["machine"]["nproc"] >= 1 and document["suite"] == "service"


def test_service_suite_measures_a_real_server_on_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = [*TINY, "--load", "auto", "--out", str(out), "--commit", "abc123"]
    assert bench_cli.main(["service", *argv]) == 0

    tools = available_tools()
    document = json.loads((out / "results.json").read_text())
    assert document["commit"] == "abc123" and document["database"] == "sqlite (temporary file)"
    assert document["tools"] == tools
    check_document(document, tools)
    with (out / "runs.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(suite.CSV_COLUMNS) and len(rows) == len(document["runs"])

    printed = capsys.readouterr().out
    assert suite.TABLE_HEADER in printed
    assert "targets missed:" in printed and printed.rstrip().endswith("s in all")


@pytest.mark.postgres
def test_service_suite_runs_on_postgresql(tmp_path: Path) -> None:
    try:
        server = server_url()
    except PostgresUnavailableError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {error}", pytrace=False)
        pytest.skip(f"no PostgreSQL server: {error}")
    out = tmp_path / "out"
    with fresh_database(server) as url:
        argv = [*TINY, "--load", "python", "--database-url", url, "--out", str(out)]
        assert bench_cli.main(["service", *argv]) == 0
    document = json.loads((out / "results.json").read_text())
    assert document["database"].startswith("postgresql@127.0.0.1:")
    assert "cosource:" not in json.dumps(document), "the password is never recorded"
    check_document(document, ["python"])


@pytest.mark.skipif(shutil.which("wrk") is not None, reason="wrk is installed here")
def test_asking_for_wrk_without_it_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_cli.main(["service", "--load", "wrk"]) == 2
    assert "load tool wrk is not installed" in capsys.readouterr().err


def test_bad_settings_are_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench_cli.main(["service", "--load", "ab"]) == 2
    assert "load tools ('ab',) not understood" in capsys.readouterr().err
    assert bench_cli.main(["service", "--seconds", "0"]) == 2
    assert "times must be positive" in capsys.readouterr().err
    assert bench_cli.main(["service", "--solve-size", "20000"]) == 2
    assert "size '20000' not understood" in capsys.readouterr().err


def test_spread_picks_evenly_and_database_name_hides_the_password() -> None:
    ids = [f"p{i}" for i in range(10)]
    assert suite.spread(ids, 5) == ["p0", "p2", "p4", "p6", "p8"]
    assert suite.spread(ids[:3], 5) == ["p0", "p1", "p2"]
    url = "postgresql://bench:secret@127.0.0.1:5433/svc"
    assert suite.database_name(url) == "postgresql@127.0.0.1:5433/svc"
    assert suite.database_name("sqlite:////tmp/x.db") == "sqlite"
    assert suite.database_name(None) == "sqlite (temporary file)"
