"""The round pipeline: the one place that chains compile -> solve -> evaluate -> explain ->
stability audit, and writes an outcome's files.

Every front end calls it: the command line, the HTTP service, the report and the batch
runner. None of them chains the steps on its own. What a run returns,
:class:`~api.round_outcome.RoundOutcome`, lives in :mod:`api.round_outcome`, and the writing
of its files in :mod:`api.outcome_files`; both are imported from here too, the front ends'
one entry point.

>>> outcome = run_round(round_, RoundParams(method="auto", solve=SolveParams(time_limit=10)))
>>> write_outcome(outcome, Path("results/pilot"))
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from api.outcome_files import outcome_files, write_outcome, write_outcome_files
from api.round_outcome import Int64Array, RoundOutcome, has_assignment
from matcher.compile import CompiledRound, compile_round
from matcher.errors import RoundError
from matcher.evaluator import evaluate
from matcher.explain import explain_unplaced
from matcher.floors import unreachable_floors
from matcher.models import Round
from matcher.preferences import build_preferences
from matcher.stability import audit_matching, kpis_of_audit
from solvers.prices import PriceOptions, rule_prices
from solvers.problem import build_problem
from solvers.registry import METHODS
from solvers.result import ProgressCallback, Result, SolveParams, Status
from solvers.stop import Deadline

DEFAULT_TIME_LIMIT = 10.0
"""Seconds a round of up to :data:`TALENTS_PER_EXTRA_SECOND` x 10 talents gets by default."""
TALENTS_PER_EXTRA_SECOND = 100
"""Above 1,000 talents, one more second of the default limit per this many talents."""
MAX_DEFAULT_TIME_LIMIT = 600.0
"""The longest default limit."""


def default_time_limit(round_: Round) -> float:
    """The time limit a round gets when none is given (:func:`time_limit_for_talents`)."""
    return time_limit_for_talents(len(round_.talents))


def time_limit_for_talents(n_talents: int) -> float:
    """The time limit a round of ``n_talents`` talents gets when none is given: 10 s up to
    1,000 talents, one second more per 100 talents above that, at most 600 s (2,000 talents:
    20 s; 20,000: 200 s). On the synthetic rounds, 2,000 talents at 10 s end within 0.4 % of
    what 120 s find, while 20,000 talents at 30 s still end far from their bound
    (docs/benchmarks.md)."""
    extra = max(0, n_talents - 10 * TALENTS_PER_EXTRA_SECOND) / TALENTS_PER_EXTRA_SECOND
    return min(MAX_DEFAULT_TIME_LIMIT, DEFAULT_TIME_LIMIT + extra)


@dataclass(frozen=True)
class RoundParams:
    """How to run a round.

    Attributes
    ----------
    method
        A key of :data:`solvers.registry.METHODS` (``auto`` by default).
    solve
        Time limit, workers, seed and gap. The time limit holds for the whole run:
        compiling, solving and the checks after it share one deadline.
    blocking_pairs
        Keep the blocking pairs themselves (``blocking_pairs.csv``), not only their count.
    start
        (talent id, package id) pairs of an assignment to start from: an interrupted run's
        stored incumbent. Pairs that are no edge of the round are left out.
    prices
        Price every active rule after the solve (:mod:`solvers.prices`), with these limits,
        which come on top of the solve's; None: not priced.
    """

    method: str = "auto"
    solve: SolveParams = field(default_factory=SolveParams)
    blocking_pairs: bool = False
    start: tuple[tuple[str, str], ...] = ()
    prices: PriceOptions | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; known: {', '.join(METHODS)}")


def run_round(
    round_: Round,
    params: RoundParams | None = None,
    on_progress: ProgressCallback | None = None,
    *,
    compiled: CompiledRound | None = None,
    compile_seconds: float = 0.0,
) -> RoundOutcome:
    """Compile, solve, judge, explain and audit ``round_``.

    Parameters
    ----------
    round_
        The round, validated.
    params
        Method, solve parameters and what to keep; defaults if None.
    on_progress
        Called with each progress report of the solve (replaces ``params.solve.progress``).
    compiled, compile_seconds
        ``round_`` compiled already (by a caller that needs it for the progress reports),
        and the seconds that took.

    Returns
    -------
    RoundOutcome
        Everything the front ends show or write.
    """
    params = params or RoundParams()
    deadline = params.solve.deadline or Deadline(params.solve.time_limit)
    if compiled is None:
        lap = time.perf_counter()
        compiled = compile_round(round_)
        compile_seconds = time.perf_counter() - lap
    # before any solve: a policy that means nothing on these pairs is bad input
    check_compiled(compiled)
    # the solve gets the time compiling left, and so ends when the command must
    solve_params = params.solve.with_deadline(deadline.portion())
    if on_progress is not None:
        solve_params = dataclasses.replace(solve_params, progress=on_progress)
    if params.start:
        solve_params = dataclasses.replace(solve_params, start=edges_of(compiled, params.start))
    result = METHODS[params.method](compiled, round_, solve_params)
    outcome = RoundOutcome(round_, compiled, params.method, result, compile_seconds)
    outcome = _judged(outcome, params.blocking_pairs)
    # a rule's price is against a solution that keeps every rule
    feasible = outcome.evaluation is not None and outcome.evaluation.feasible
    if params.prices is not None and feasible and result.status.has_solution:
        prices = rule_prices(build_problem(compiled, round_), result, params.prices)
        outcome = dataclasses.replace(outcome, prices=prices)
    return outcome


def check_compiled(compiled: CompiledRound) -> None:
    """Refuse a round whose policy cannot mean anything on its eligible pairs: a floor that
    no eligible pair counts towards, or weights under which every eligible pair scores 0.

    Raises
    ------
    RoundError
        Naming the policy field.
    """
    messages = unreachable_floors(compiled.arrays, compiled.talent, compiled.package)
    if compiled.n_edges and not compiled.score.any():
        weighted = [name for name, w in compiled.policy.weights.items() if w > 0]
        messages.append(
            "policy field 'weights': every eligible pair scores 0 on the scores weighted ("
            + ", ".join(weighted)
            + "); weight a score on which the pairs differ"
        )
    if messages:
        raise RoundError("; ".join(messages))


def outcome_of_assignment(
    round_: Round,
    compiled: CompiledRound,
    method: str,
    pairs: Sequence[tuple[str, str]],
    note: str,
    *,
    blocking_pairs: bool = False,
) -> RoundOutcome:
    """The outcome of an assignment found earlier (a cancelled run's stored incumbent),
    judged, explained and audited as :func:`run_round` does; ``note`` says where it came
    from. Its status is ``feasible`` when it breaks no constraint: nothing proved it optimal.
    """
    edges = np.sort(edges_of(compiled, pairs))
    evaluation = evaluate(round_, compiled, pairs)
    result = Result(
        solver=method,
        status=Status.FEASIBLE if evaluation.feasible else Status.UNKNOWN,
        edges=edges,
        objective=evaluation.objective,
        bound=None,
        wall_time=0.0,
        notes=[note],
    )
    return _judged(RoundOutcome(round_, compiled, method, result, 0.0), blocking_pairs)


def edges_of(compiled: CompiledRound, pairs: Sequence[tuple[str, str]]) -> Int64Array:
    """The edges of (talent id, package id) ``pairs``, leaving out pairs that are none."""
    a = compiled.arrays
    talents = {x: i for i, x in enumerate(a.talent_ids)}
    packages = {x: i for i, x in enumerate(a.package_ids)}
    known = [(talents[t], packages[p]) for t, p in pairs if t in talents and p in packages]
    if not known:
        return np.zeros(0, dtype=np.int64)
    t_index, p_index = (np.array(column, dtype=np.int64) for column in zip(*known, strict=True))
    edges = compiled.edge_index(t_index, p_index)
    return edges[edges >= 0]


def _judged(outcome: RoundOutcome, keep_blocking_pairs: bool) -> RoundOutcome:
    """``outcome`` with the evaluator's verdict, the reasons of the unplaced and the
    stability audit (unchanged when the solve found no assignment)."""
    result, compiled, round_ = outcome.result, outcome.compiled, outcome.round
    if not has_assignment(result):
        return outcome
    preferences = build_preferences(compiled)
    # one audit gives the stability KPIs and, when kept, the blocking pairs themselves
    audit = audit_matching(preferences, result.edges, with_pairs=True)
    return dataclasses.replace(
        outcome,
        evaluation=evaluate(round_, compiled, result.pairs(compiled)),
        reasons=tuple(explain_unplaced(compiled, result.edges, round_)),
        stability=kpis_of_audit(preferences, audit),
        blocking_pairs=audit.pairs if keep_blocking_pairs else None,
    )


__all__ = [
    "RoundOutcome",
    "RoundParams",
    "default_time_limit",
    "edges_of",
    "outcome_files",
    "outcome_of_assignment",
    "run_round",
    "write_outcome",
    "write_outcome_files",
]
