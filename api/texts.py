"""What the command line prints: the check report, progress lines and shortlists.

These are the coordinator's texts: they show everything the round holds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TextIO

import numpy as np
from rich.console import Console
from rich.live import Live
from rich.text import Text

from matcher.compile import CompiledRound
from matcher.eligibility import REASONS
from matcher.models import SCORE_NAMES, Round
from matcher.shortlists import Shortlist
from solvers.prices import Gain, Prices, RulePrice
from solvers.result import Progress, Status


def check_report(round_: Round, compiled: CompiledRound, seconds: float) -> str:
    """The text ``cosource check`` prints: counts, eligible pairs and exclusions per rule."""
    a = compiled.arrays
    pairs = a.n_talents * a.n_packages
    eligible = compiled.n_edges + int(compiled.pruned_by_talent.sum())
    per_talent = np.bincount(compiled.talent, minlength=a.n_talents)
    per_package = np.bincount(compiled.package, minlength=a.n_packages)
    lines = [
        f"round '{round_.id}' {round_.name}".rstrip(),
        f"  organizations {len(round_.organizations):>9,}",
        f"  talents       {a.n_talents:>9,}",
        f"  packages      {a.n_packages:>9,}   seats {int(a.package_seats.sum()):,}",
        f"  pins {len(round_.pins)}, forbidden {len(round_.forbidden)}, "
        f"previous {len(round_.previous)}",
        "",
        f"eligible pairs  {eligible:,} of {pairs:,} ({eligible / max(pairs, 1):.2%})",
    ]
    if compiled.pruned_by_talent.any():
        lines.append(f"kept as edges   {compiled.n_edges:,} (top {round_.policy.top_k} per talent)")
    lines += [
        f"talents with no eligible package   {int((per_talent == 0).sum()):,}",
        f"packages with no eligible talent   {int((per_package == 0).sum()):,}",
        f"eligible packages per talent       mean {per_talent.mean() if a.n_talents else 0:.1f}",
        "",
        "pairs excluded, by the first rule they fail:",
    ]
    for rule, count in compiled.excluded_by_rule().items():
        state = "" if round_.policy.rule_on(rule) else "  (rule off)"
        lines.append(f"  {rule:<22} {count:>14,}  {REASONS[rule]}{state}")
    lines.append(f"\ncompiled in {seconds:.2f} s")
    return "\n".join(lines)


class ProgressPrinter:
    """Prints the search's progress (see :func:`progress_line`) at most twice a second; a
    report with more placements than the last one printed is always shown."""

    def __init__(
        self, limit: float | None = None, stream: TextIO | None = None, interval: float = 0.5
    ) -> None:
        self.limit = limit
        self.stream = stream or sys.stdout
        self.interval = interval
        self.last = -1.0
        self.placements = -1

    def __call__(self, progress: Progress) -> None:
        more = (progress.placements or 0) > self.placements
        if self.last >= 0 and progress.elapsed - self.last < self.interval and not more:
            return
        self.last = progress.elapsed
        self.placements = max(self.placements, progress.placements or 0)
        print(progress_line(progress, self.limit), file=self.stream, flush=True)


class LiveProgress:
    """The search's progress as one status line rewritten in place, for a terminal: the
    clock ticks between reports, the rest is the last report (see :func:`progress_line`).
    Use it as a context manager around the solve; reports may come from any thread."""

    def __init__(self, limit: float | None = None, console: Console | None = None) -> None:
        self.limit = limit
        self.started = time.perf_counter()
        self.last: Progress | None = None
        self.live = Live(self, console=console or Console(), refresh_per_second=4)

    def __enter__(self) -> LiveProgress:
        self.started = time.perf_counter()
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()

    def __call__(self, progress: Progress) -> None:
        self.last = progress
        self.live.refresh()

    def __rich__(self) -> Text:
        # plain text: no markup and no highlighting of the numbers
        if self.last is None:
            clock = f"{time.perf_counter() - self.started:6.1f} s"
            return Text(clock + (f" of {self.limit:g} s" if self.limit else "") + "  starting")
        now = max(self.last.elapsed, time.perf_counter() - self.started)
        return Text(progress_line(dataclasses.replace(self.last, elapsed=now), self.limit))


def working(what: str, console: Console | None = None) -> AbstractContextManager[object]:
    """A spinner saying ``what`` is being done, on a terminal's stderr while the block runs;
    nothing when stderr is not a terminal (a pipe, a file, the tests)."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        return contextlib.nullcontext()
    return console.status(Text(what), spinner="dots")


STILL_IMPROVING_SHARE = 0.8
"""A search whose last better assignment came after this share of its limit was still
improving when it stopped."""


class ImprovementWatch:
    """Follows the progress reports (and hands them on to ``then``) to tell, once the solve
    is over, whether it was still improving when the time ran out."""

    def __init__(self, then: Callable[[Progress], None] | None = None) -> None:
        self.then = then
        self.best: tuple[int, float] | None = None
        self.improved_at: float | None = None

    def __call__(self, progress: Progress) -> None:
        if progress.objective is not None:
            key = (progress.placements or 0, progress.objective)
            if self.best is None or key > self.best:
                self.best, self.improved_at = key, progress.elapsed
        if self.then is not None:
            self.then(progress)

    def hint(self, status: Status, limit: float) -> str | None:
        """A closing line when the search was still improving at ``limit`` and did not
        prove its result optimal."""
        if status == Status.OPTIMAL or self.improved_at is None:
            return None
        if self.improved_at < STILL_IMPROVING_SHARE * limit:
            return None
        return (
            f"still improving at the limit (the last better assignment came at "
            f"{self.improved_at:.1f} s of {limit:g} s): a longer run may do better, "
            f"try --time-limit {2 * limit:g}"
        )


def progress_line(progress: Progress, limit: float | None = None) -> str:
    """One line of progress, in the units of the final summary: elapsed time (of the
    limit), placements (and the most the bound allows, while more are possible), the
    objective (score minus penalties, when placements count first), its bound and the gap,
    which is on the placements while more are possible."""
    clock = f"{progress.elapsed:6.1f} s" + (f" of {limit:g} s" if limit else "")
    parts = [clock, progress.solver]
    if progress.placements is not None:
        placed = f"placed {progress.placements:,}"
        if progress.placements_short:
            placed += f" (bound: at most {progress.placement_bound:,})"
        parts.append(placed)
    if progress.objective is not None:
        parts.append(f"objective {progress.objective:,.0f}")
    if progress.bound is not None:
        parts.append(f"bound {progress.bound:,.0f}")
    if progress.gap is not None:
        on = " on placements" if progress.placements_short else ""
        parts.append(f"gap {progress.gap:.2%}{on}")
    return "  ".join(parts)


def shortlist_text(compiled: CompiledRound, shortlist: Shortlist, for_package: bool) -> str:
    """A shortlist as a table: rank, candidate, total score, components and, for a
    package, the host's monthly fee. This is the coordinator's view: the cost component and
    the fee together reveal the retained salary, so a hiring organization's view must leave
    the cost component out."""
    who = "talent" if for_package else "package"
    header = f"{'#':>3} {who:<12} {'score':>6} " + " ".join(f"{n[:6]:>6}" for n in SCORE_NAMES)
    lines = [f"shortlist of {'package' if for_package else 'talent'} '{shortlist.owner}'", header]
    if for_package:
        lines[1] += f" {'host fee':>9}"
    rows = zip(shortlist.partner_ids, shortlist.breakdown(), shortlist.edges.tolist(), strict=True)
    for rank, (partner, parts, edge) in enumerate(rows, start=1):
        line = f"{rank:>3} {partner:<12} {parts['score']:6.3f} " + " ".join(
            f"{parts[n]:6.2f}" for n in SCORE_NAMES
        )
        if for_package:
            line += f" {compiled.host_fee[edge]:9,.0f}"
        lines.append(line)
    if not len(shortlist):
        lines.append("  (no eligible candidate)")
    return "\n".join(lines)


PRICE_LINES = 10
"""Priced rules the summary names one by one (kpis.json holds them all)."""


def price_sentence(price: RulePrice) -> str:
    """One rule's price in words: what dropping it would gain, confirmed by a re-solve or
    estimated by the linear relaxation."""
    if price.confirmed is not None:
        said = ""
        if price.estimate is not None:
            said = f"; the linear relaxation said {_gain_text(price.estimate, exact=False)}"
        if _gains(price.confirmed):
            gain = _gain_text(price.confirmed, exact=True)
            return f"{price.rule} costs {gain} (re-solved without it{said})"
        return f"{price.rule} costs nothing a re-solve without it found{said}"
    if price.estimate is None:
        return f"{price.rule}: not priced in the time given"
    if not _gains(price.estimate) and price.estimate_complete:
        return f"{price.rule} costs nothing in the linear relaxation"
    if not price.estimate_complete:
        return (
            f"{price.rule} costs at least about {_gain_text(price.estimate, exact=False)} "
            "(linear relaxation, cut by its time limit)"
        )
    return f"{price.rule} costs about {_gain_text(price.estimate, exact=False)} (linear relaxation)"


def price_lines(prices: Prices, top: int = PRICE_LINES) -> list[str]:
    """The summary's lines on the price of every rule: the dearest ``top`` one a line, then
    how many more cost nothing or something in the linear relaxation."""
    lines = ["price of every rule (what dropping it would gain):"]
    if not prices.rules:
        lines.append("  no rule binds: none has a price")
    for price in prices.rules[:top]:
        lines.append(f"  {price_sentence(price)}")
    rest = prices.rules[top:]
    if rest:
        free = sum(1 for p in rest if p.estimate is not None and not _gains(p.estimate))
        lines.append(
            f"  and {len(rest):,} more rules ({free:,} cost nothing in the linear relaxation): "
            "kpis.json"
        )
    lines += [f"  note: {note}" for note in prices.notes]
    lines.append(
        f"  priced in {prices.lp_seconds:.1f} s of linear relaxations"
        + ("" if prices.lp_complete else " (some cut by the time limit)")
        + f" and {prices.resolve_seconds:.1f} s of re-solves"
    )
    return lines


def _gains(gain: Gain) -> bool:
    return gain.placements > 0.005 or gain.score > 0.0005


def _gain_text(gain: Gain, exact: bool) -> str:
    score = f"{gain.share:.1%} of the score ({gain.score:+,.1f} points)"
    if round(gain.placements, 1) == 0:
        return f"no placement but {score}"
    if exact:
        placements = f"{gain.placements:,.0f} placement{'' if gain.placements == 1 else 's'}"
    else:
        placements = f"{gain.placements:,.1f} placements"
    return f"{placements} and {score}"
