"""The command's deadline and the stop criteria."""

from __future__ import annotations

import math
import time

import pytest

from solvers.result import Progress, SolveParams
from solvers.stop import (
    MIN_PHASE_SECONDS,
    Deadline,
    FirstOf,
    GapReached,
    MaxRuntime,
    NoImprovement,
)


def _progress(elapsed: float, objective: float | None, bound: float | None = None) -> Progress:
    return Progress("auto", elapsed, objective, bound)


def test_a_deadline_counts_from_its_start() -> None:
    started = time.perf_counter() - 3.0
    deadline = Deadline(5.0, started)
    assert 3.0 <= deadline.elapsed() < 4.0
    assert 1.0 < deadline.remaining() <= 2.0
    assert not deadline.expired()
    assert deadline.at() == started + 5.0
    assert Deadline(1.0, started).remaining() == 0.0
    assert Deadline(1.0, started).expired()


def test_a_phase_gets_a_portion_of_the_time_left() -> None:
    deadline = Deadline(10.0, time.perf_counter() - 4.0)
    rest = deadline.portion()
    assert abs(rest.at() - deadline.at()) < 0.01
    half = deadline.portion(0.5)
    assert 2.9 < half.seconds <= 3.0
    late = Deadline(1.0, time.perf_counter() - 5.0).portion()
    assert late.seconds == MIN_PHASE_SECONDS
    with pytest.raises(ValueError, match=r"share 0 not understood"):
        deadline.portion(0)


@pytest.mark.parametrize("seconds", [0.0, -1.0, math.inf, math.nan])
def test_a_deadline_needs_positive_finite_seconds(seconds: float) -> None:
    with pytest.raises(ValueError, match=r"time limit .* not understood"):
        Deadline(seconds)


def test_solve_params_share_the_command_deadline() -> None:
    deadline = Deadline(7.0, time.perf_counter() - 2.0)
    params = SolveParams(time_limit=30).with_deadline(deadline)
    assert params.time_limit == 7.0 and params.timer() is deadline
    assert SolveParams(time_limit=4).timer().seconds == 4.0
    with pytest.raises(ValueError, match="deadline and time_limit disagree"):
        SolveParams(time_limit=3, deadline=deadline)


def test_max_runtime_stops_once_the_deadline_passed() -> None:
    assert not MaxRuntime(Deadline(60.0))(_progress(1.0, 5.0))
    assert MaxRuntime(Deadline(1.0, time.perf_counter() - 2.0))(_progress(2.0, 5.0))


def test_gap_reached() -> None:
    stop = GapReached(0.01)
    assert not stop(_progress(1.0, None, 100.0))
    assert not stop(_progress(1.0, 900.0, 1000.0))  # 11 % of 900
    assert stop(_progress(1.0, 995.0, 1000.0))
    with pytest.raises(ValueError, match=r"gap 1\.5 not understood"):
        GapReached(1.5)


def test_no_improvement_counts_from_the_last_better_objective() -> None:
    stop = NoImprovement(2.0)
    assert not stop(_progress(0.5, 10.0))
    assert not stop(_progress(2.0, 10.0))  # equal is no improvement: 1.5 s since 0.5
    assert stop(_progress(2.5, 10.0))
    assert not stop(_progress(3.0, 11.0))
    assert stop(_progress(5.0, 11.0))


def test_first_of_stops_at_any_and_keeps_every_criterion_counting() -> None:
    patience = NoImprovement(1.0)
    stop = FirstOf((GapReached(0.0), patience))
    assert not stop(_progress(0.0, 10.0, 20.0))
    assert stop(_progress(0.5, 20.0, 20.0))  # gap closed; patience still saw 20.0 as better
    assert not patience(_progress(1.0, 20.0))
    assert patience(_progress(1.6, 20.0))
