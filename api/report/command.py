"""``cosource report``: the round report of a results folder.

Plotly and Jinja2 are imported when the command runs, not when the command line starts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from matcher.errors import RoundError


def add_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``report`` to the command line's subcommands."""
    report = sub.add_parser("report", help="a self-contained HTML report of a solve's results")
    report.add_argument("folder", type=Path, help="a results folder (cosource solve --out)")
    report.add_argument(
        "--out", type=Path, default=None, help="the HTML file (default: FOLDER/report.html)"
    )
    report.set_defaults(run=report_command)


def report_command(args: argparse.Namespace) -> int:
    """Write the report of ``args.folder`` to ``args.out``; 0 once written."""
    from api.report.html import write_report
    from api.report.inputs import ReportInputs

    started = time.perf_counter()
    out: Path = args.out if args.out is not None else args.folder / "report.html"
    if out.is_dir():
        raise RoundError(f"--out: {out} is a folder; name the .html file to write")
    if not out.parent.is_dir():
        raise RoundError(f"--out: the folder {out.parent} does not exist")
    documents = ReportInputs.from_folder(args.folder)
    size = write_report(documents, out)
    what = (
        f"{len(documents.placements):,} placements, {len(documents.unplaced):,} unplaced"
        if documents.solved
        else f"no assignment ({documents.result['status']})"
    )
    print(f"wrote {out}: {what}, {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    return 0
