"""Page suite: one small round, its first views in headless Chromium, its files.

Needs Debian's ``chromium`` and ``chromium-driver``: skipped without them, except in CI
(``CI=true``), where their absence fails the test."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from benchmarks import page


def _need_browser() -> None:
    missing = [str(path) for path in (page.CHROMIUM, page.CHROMEDRIVER) if not path.exists()]
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser tests: {', '.join(missing)} missing")
    if missing:
        pytest.skip(f"{', '.join(missing)} missing")


def test_page_suite_times_the_first_views_and_their_requests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _need_browser()
    argv = ["--size", "120x40", "--repeat", "2", "--time-limit", "1"]
    assert page.main([*argv, "--out", str(tmp_path), "--commit", "abc123"]) == 0
    out = capsys.readouterr().out
    assert "commit abc123, 120 talents x 40 packages, seed 0, solve limit 1 s, 2 views" in out
    assert "page / its requests:" in out

    with (tmp_path / "runs.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(page.CSV_COLUMNS)
    view, requests = rows
    assert view["task"] == "first view (Chromium)" and view["check"] in ("ok", "slow")
    assert requests["task"] == "its API requests (Python)"
    for row in rows:
        assert (row["talents"], row["packages"], row["repeat"]) == ("120", "40", "2")
        assert int(row["placements"]) > 0
        assert 0 < float(row["median_seconds"]) <= float(row["max_seconds"])
    # the browser loads, runs and draws on top of the same requests
    assert float(view["median_seconds"]) > float(requests["median_seconds"])
    header = json.loads((tmp_path / "results.json").read_text())
    assert header["commit"] == "abc123" and header["target_seconds"] == 1.0


def test_page_suite_refuses_a_bad_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert page.main(["--size", "big"]) == 2
    assert "size 'big' not understood" in capsys.readouterr().err
