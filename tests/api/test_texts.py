"""What the command line prints while a round is solved."""

from __future__ import annotations

import io

from rich.console import Console

from api.texts import ImprovementWatch, LiveProgress, ProgressPrinter, progress_line, working
from solvers.result import Progress, Status


def test_a_progress_line_is_in_the_units_of_the_summary() -> None:
    short = Progress.of_combined("auto", 3.04, 252_460.0, 517, 531_300_000.0, 1_000_000)
    assert progress_line(short, 10.0) == (
        "   3.0 s of 10 s  auto  placed 517 (bound: at most 531)  objective 252,460  "
        "gap 2.71% on placements"
    )
    level = Progress.of_combined("auto", 9.5, 900.0, 12, 12_000_950.0, 1_000_000)
    assert progress_line(level) == (
        "   9.5 s  auto  placed 12  objective 900  bound 950  gap 5.56%"
    )


def test_the_printer_keeps_to_twice_a_second_unless_more_are_placed() -> None:
    out = io.StringIO()
    printer = ProgressPrinter(10.0, out)
    for elapsed, placed in [(0.1, 5), (0.2, 5), (0.3, 6), (0.4, 6), (0.9, 6)]:
        printer(Progress("auto", elapsed, 100.0 * placed, None, placed))
    shown = [line.split()[0] for line in out.getvalue().splitlines()]
    assert shown == ["0.1", "0.3", "0.9"]


def test_a_search_still_improving_at_the_limit_is_told_so() -> None:
    seen: list[Progress] = []
    watch = ImprovementWatch(seen.append)
    for elapsed, value in [(0.5, 100.0), (4.0, 120.0), (9.1, 130.0), (9.5, 130.0)]:
        watch(Progress("auto", elapsed, value, None, 5))
    assert len(seen) == 4 and watch.improved_at == 9.1
    assert watch.hint(Status.FEASIBLE, 10.0) == (
        "still improving at the limit (the last better assignment came at 9.1 s of 10 s): "
        "a longer run may do better, try --time-limit 20"
    )
    assert watch.hint(Status.OPTIMAL, 10.0) is None
    early = ImprovementWatch()
    early(Progress("auto", 2.0, 100.0, None, 5))
    assert early.hint(Status.FEASIBLE, 10.0) is None


def test_a_terminal_gets_one_live_line() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with LiveProgress(10.0, console) as live:
        assert "starting" in live.__rich__().plain
        live(Progress.of_combined("auto", 1.0, 900.0, 12, 12_000_950.0, 1_000_000))
        live(Progress.of_combined("auto", 2.0, 920.0, 12, 12_000_950.0, 1_000_000))
    text = out.getvalue()
    assert "placed 12  objective 920  bound 950  gap 3.26%" in text
    # rewritten in place: each refresh erases the line it replaces
    assert "\x1b[2K" in text


def test_work_in_progress_shows_on_a_terminal_only() -> None:
    out = io.StringIO()
    with working("compiling", Console(file=out, force_terminal=True, width=80)):
        pass
    assert "compiling" in out.getvalue()
    quiet = io.StringIO()
    with working("compiling", Console(file=quiet, force_terminal=False)):
        pass
    assert quiet.getvalue() == ""
