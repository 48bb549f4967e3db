"""The consent benchmark (:mod:`benchmarks.consent`) end to end on a tiny round, so that it
cannot rot: a real ``cosource serve`` on a fresh SQLite file, a solve, offers published,
declines and agreed tours, a re-solve, and decisions sent while a solve runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.consent import main, parse, table


def test_the_consent_benchmark_runs_on_a_tiny_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "consent.json"
    argv = [
        "--talents", "150", "--packages", "40", "--seed", "11",
        "--first-limit", "2", "--resolve-limits", "2", "--workers", "1",
        "--declines", "3", "--agreed", "2", "--requests", "12", "--threads", "2",
        "--load-seconds", "20", "--load-solve-limit", "60", "--background-talents", "2000",
        "--out", str(out),
    ]  # fmt: skip
    assert main(argv) == 0
    document = json.loads(out.read_text())
    assert document["commit"] and document["machine"]["nproc"] >= 1
    assert isinstance(document["modified"], list)
    assert document["round"]["declined"] == 3 and document["round"]["agreed"] == 2
    (resolved,) = document["resolves"]
    assert resolved["status"] == "solved"
    # the agreed tours stay, no declined pair comes back
    assert resolved["agreed_kept"] == 2 and resolved["agreed_lost"] == 0
    assert resolved["declined_placed"] == 0
    assert resolved["placements"] > 0
    # the time is split (a tiny round's phases are too short to see at 0.1 s polls: only
    # the request and the wait for the worker are sure to be measured)
    assert 0 < resolved["request_s"] < resolved["total_s"] < 60
    assert resolved["queue_s"] >= 0 and resolved["seen_s"] >= 0
    loads = document["decisions"]
    assert [(m["keys"], m["threads"]) for m in loads] == [("coordinator", 2), ("parties", 2)]
    for load in loads:
        # every decision answered 200, on a solve that ran throughout
        assert load["requests"] == load["ok"] == 12 and load["errors"] == {}
        assert load["run_status_before"] == load["run_status_after"] == "running"
        assert 0 < load["p50_ms"] <= load["p95_ms"] <= load["p99_ms"] <= load["max_ms"]
        assert load["rate"] > 0
    printed = capsys.readouterr().out
    assert table(document) in printed


def test_the_command_line_refuses_bad_lists() -> None:
    with pytest.raises(SystemExit):
        parse(["--resolve-limits", "5,x"])
    with pytest.raises(SystemExit):
        parse(["--threads", "0"])
    assert parse(["--keys", "parties", "--threads", "2,4"]).threads == (2, 4)
