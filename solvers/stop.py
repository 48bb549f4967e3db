"""When a solve stops: one deadline for a whole command, and composable stop criteria.

A command (``cosource solve``, a service run, a batch scenario) makes one :class:`Deadline`
when it starts and hands it to every phase: compiling, solving, explaining, auditing. Each
phase asks the deadline how much time is left instead of timing itself from its own start,
so the command as a whole honours its limit.

Stop criteria look at the search's progress, in the manner of PyVRP's ``stop`` module: each
is a callable ``criterion(progress) -> bool`` and :class:`FirstOf` stops at the first of
several. The portfolio asks its criterion (``SolveParams.stop``) at every new incumbent and
between neighbourhoods; when it says stop, the deadline ends (:meth:`Deadline.end`) and every
phase returns what it has.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

MIN_PHASE_SECONDS = 0.05
"""The least time a phase gets, even past the deadline: enough to hand back a result."""


@dataclass(frozen=True)
class Deadline:
    """A wall-clock limit that started once and is shared by every phase of a command.

    Attributes
    ----------
    seconds
        The whole limit, in seconds from ``started``.
    started
        ``time.perf_counter()`` when the command started.
    """

    seconds: float
    started: float = field(default_factory=time.perf_counter)
    _ended: threading.Event = field(
        default_factory=threading.Event, init=False, repr=False, compare=False
    )
    _within: Deadline | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (self.seconds > 0 and math.isfinite(self.seconds)):
            raise ValueError(f"time limit {self.seconds} not understood: give seconds > 0.")

    def end(self) -> None:
        """End the time now: a stop criterion was met, or the run was cancelled. Every phase
        sharing this deadline, and every one cut from it (:meth:`portion`), then sees none
        left."""
        self._ended.set()

    def ended(self) -> bool:
        """Whether :meth:`end` was called on this deadline or on one it was cut from."""
        return self._ended.is_set() or (self._within is not None and self._within.ended())

    def elapsed(self) -> float:
        """Seconds since the command started."""
        return time.perf_counter() - self.started

    def remaining(self) -> float:
        """Seconds left, never below zero (zero once :meth:`end` was called)."""
        if self.ended():
            return 0.0
        return max(0.0, self.seconds - self.elapsed())

    def expired(self) -> bool:
        """Whether no time is left."""
        return self.remaining() <= 0.0

    def at(self) -> float:
        """The ``time.perf_counter()`` value at which the limit ends."""
        return self.started + self.seconds

    def renewed(self, seconds: float) -> Deadline:
        """A deadline of ``seconds`` that starts now (a second attempt of the command);
        ending this one (a cancel) ends it too."""
        again = Deadline(seconds)
        object.__setattr__(again, "_within", self)
        return again

    def portion(self, share: float = 1.0) -> Deadline:
        """A deadline for the next phase: it starts now and gets ``share`` of the time left
        (all of it by default, so that it ends when this one does). A phase that starts
        after the end still gets :data:`MIN_PHASE_SECONDS`, so that it can return what it
        has at once."""
        if not 0 < share <= 1:
            raise ValueError(f"share {share} not understood: give a share in (0, 1].")
        phase = Deadline(max(share * self.remaining(), MIN_PHASE_SECONDS))
        # ending this deadline (a cancel) ends every phase cut from it; a phase that ends
        # early (its stop criterion met) leaves the next phases their time
        object.__setattr__(phase, "_within", self)
        return phase


class Progress(Protocol):
    """What a stop criterion reads of a progress report (:class:`solvers.result.Progress`)."""

    @property
    def elapsed(self) -> float: ...

    @property
    def objective(self) -> float | None: ...

    @property
    def gap(self) -> float | None: ...


class StopCriterion(Protocol):
    """Decides from a progress report whether the search should stop now."""

    def __call__(self, progress: Progress) -> bool: ...


@dataclass(frozen=True)
class MaxRuntime:
    """Stop when the deadline has passed."""

    deadline: Deadline

    def __call__(self, progress: Progress) -> bool:
        return self.deadline.expired()


@dataclass(frozen=True)
class GapReached:
    """Stop once the incumbent is within ``gap`` (relative) of the bound."""

    gap: float

    def __post_init__(self) -> None:
        if not 0 <= self.gap < 1:
            raise ValueError(f"gap {self.gap} not understood: give a share in [0, 1).")

    def __call__(self, progress: Progress) -> bool:
        gap = progress.gap
        return gap is not None and gap <= self.gap


@dataclass
class NoImprovement:
    """Stop when the objective has not improved for ``seconds`` of the search's time."""

    seconds: float
    _best: float = field(default=-math.inf, init=False)
    _since: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError(f"no-improvement time {self.seconds} not understood: give > 0.")

    def __call__(self, progress: Progress) -> bool:
        if progress.objective is not None and progress.objective > self._best:
            self._best = progress.objective
            self._since = progress.elapsed
        return progress.elapsed - self._since >= self.seconds


@dataclass(frozen=True)
class FirstOf:
    """Stop as soon as any of ``criteria`` says so."""

    criteria: tuple[StopCriterion, ...]

    def __call__(self, progress: Progress) -> bool:
        # every criterion sees every report, so that stateful ones keep count
        return any([criterion(progress) for criterion in self.criteria])


__all__ = [
    "MIN_PHASE_SECONDS",
    "Deadline",
    "FirstOf",
    "GapReached",
    "MaxRuntime",
    "NoImprovement",
    "StopCriterion",
]
