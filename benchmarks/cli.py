"""One entry point for the benchmark suites: ``python -m benchmarks SUITE [options]``.

``gap``        GAP instances against best-known values (:mod:`benchmarks.bench_gap`)
``synthetic``  seeded talent-sharing rounds, ours against greedy (:mod:`benchmarks.synthetic`)
``stable``     deferred acceptance against a textbook reference (:mod:`benchmarks.stable_suite`)
``service``    a real ``cosource serve`` under load while it solves (:mod:`benchmarks.service`)
``report``     the round report of generated runs, timed (:mod:`benchmarks.report_suite`)
``batch``      batch scenarios on the process pool and on Ray (:mod:`benchmarks.batch`)
``workbook``   the results workbook of 5,000 placements and a round workbook
               (:mod:`benchmarks.workbook`)
``prices``     the price of every rule of the default policy (:mod:`benchmarks.prices`)
``page``       the page's first view of a run, in headless Chromium (:mod:`benchmarks.page`)
``floors``     the outcome floors' price and reach on generated rounds (:mod:`benchmarks.floors`)

Everything after the suite name goes to that suite's own command line, unchanged;
``python -m benchmarks SUITE --help`` shows its options. ``cosource-bench SUITE`` is the
same command as a script.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Final

from benchmarks import (
    batch,
    bench_gap,
    floors,
    page,
    prices,
    report_suite,
    service,
    stable_suite,
    synthetic,
    workbook,
)

Runner = Callable[[Sequence[str] | None], int]

SUITES: Final[dict[str, Runner]] = {
    "gap": bench_gap.main,
    "synthetic": synthetic.main,
    "stable": stable_suite.main,
    "service": service.main,
    "report": report_suite.main,
    "workbook": workbook.main,
    "batch": batch.main,
    "prices": prices.main,
    "page": page.main,
    "floors": floors.main,
}
"""Suite name -> its runner's ``main(argv)``; the command lines reuse the keys."""


def run(suite: str, argv: Sequence[str]) -> int:
    """Run ``suite`` with its own arguments ``argv``; returns its exit status.

    Raises
    ------
    KeyError
        If ``suite`` is unknown.
    """
    if suite not in SUITES:
        raise KeyError(f"unknown suite {suite!r}; known: {', '.join(SUITES)}")
    return SUITES[suite](list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``SUITE [options]`` and run the suite; returns its exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("options", nargs=argparse.REMAINDER, help="the suite's own options")
    args = parser.parse_args(argv)
    return run(args.suite, args.options)


if __name__ == "__main__":
    sys.exit(main())
