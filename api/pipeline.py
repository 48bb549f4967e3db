"""The round pipeline: the one place that chains compile -> solve -> evaluate -> explain ->
stability audit, and writes an outcome's files.

Every front end calls it: the command line, the HTTP service, the report and the batch
runner. None of them chains the steps on its own.

>>> outcome = run_round(round_, RoundParams(method="auto", solve=SolveParams(time_limit=10)))
>>> write_outcome(outcome, Path("results/pilot"))
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from api.documents import KpisDocument, ResultDocument, to_json
from api.texts import price_lines
from matcher.compile import CompiledRound, compile_round
from matcher.errors import RoundError
from matcher.evaluator import Evaluation, evaluate
from matcher.explain import UnplacedReason, explain_unplaced
from matcher.floors import unreachable_floors
from matcher.models import Round
from matcher.preferences import build_preferences
from matcher.report import placements_frame, summary_text, unplaced_frame
from matcher.stability import StabilityKpis, audit_matching, kpis_of_audit
from solvers.prices import PriceOptions, Prices, rule_prices
from solvers.problem import build_problem
from solvers.registry import METHODS
from solvers.result import ProgressCallback, Result, SolveParams, Status
from solvers.stop import Deadline

Int64Array = np.ndarray[tuple[int], np.dtype[np.int64]]

OUTCOME_FILES = (
    "result.json",
    "kpis.json",
    "placements.csv",
    "unplaced.csv",
    "blocking_pairs.csv",
    "results.xlsx",
)
"""Every file :func:`write_outcome` may write; those it does not write this time are removed,
so that no file of an earlier round in the same folder looks current."""
MAX_WARNINGS = 3
"""Broken constraints named in a summary's warning line."""


DEFAULT_TIME_LIMIT = 10.0
"""Seconds a round of up to :data:`TALENTS_PER_EXTRA_SECOND` x 10 talents gets by default."""
TALENTS_PER_EXTRA_SECOND = 100
"""Above 1,000 talents, one more second of the default limit per this many talents."""
MAX_DEFAULT_TIME_LIMIT = 600.0
"""The longest default limit."""


def default_time_limit(round_: Round) -> float:
    """The time limit a round gets when none is given: 10 s up to 1,000 talents, one second
    more per 100 talents above that, at most 600 s (2,000 talents: 20 s; 20,000: 200 s).
    On the synthetic rounds, 2,000 talents at 10 s end within 0.4 % of what 120 s find,
    while 20,000 talents at 30 s still end far from their bound (docs/benchmarks.md)."""
    extra = max(0, len(round_.talents) - 10 * TALENTS_PER_EXTRA_SECOND) / TALENTS_PER_EXTRA_SECOND
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


@dataclass(frozen=True)
class RoundOutcome:
    """A solved round: the compiled round, the result, the evaluator's verdict, why each
    unplaced talent is unplaced, and the matching's stability.

    ``evaluation``, ``stability`` and ``reasons`` are empty when the solve found no
    assignment (see ``result.status`` and ``result.conflicts``).
    """

    round: Round
    compiled: CompiledRound
    method: str
    result: Result
    compile_seconds: float
    evaluation: Evaluation | None = None
    reasons: tuple[UnplacedReason, ...] = ()
    stability: StabilityKpis | None = None
    blocking_pairs: Int64Array | None = None
    prices: Prices | None = None

    @property
    def solved(self) -> bool:
        """Whether the solve found an assignment (one that breaks constraints included, as
        deferred acceptance's may: the evaluator's verdict says so, see :meth:`warnings`)."""
        return _has_assignment(self.result)

    def warnings(self) -> list[str]:
        """What a coordinator must not miss: the hard constraints the assignment breaks."""
        if self.evaluation is None or self.evaluation.feasible:
            return []
        violations = self.evaluation.violations
        shown = "; ".join(str(v) for v in violations[:MAX_WARNINGS])
        more = len(violations) - MAX_WARNINGS
        return [
            f"warning: this assignment breaks {len(violations)} hard constraint(s): {shown}"
            + (f"; and {more} more (kpis.json)" if more > 0 else "")
        ]

    def result_document(self) -> ResultDocument:
        """``result.json``: how the solve went."""
        return ResultDocument.of(self.method, self.result, self.compile_seconds)

    def kpis_document(self) -> KpisDocument | None:
        """``kpis.json``: the evaluator's verdict and the KPIs (None without assignment)."""
        if self.evaluation is None:
            return None
        return KpisDocument.of(self.evaluation, self.stability, self.prices)

    def placements(self) -> pd.DataFrame:
        """One row per placement: ids, organizations, scores, the monthly cost split, then
        the package's title, the organizations' names and the tour's dates and FTE."""
        return placements_frame(self.compiled, self.result.edges, self.round)

    def unplaced(self) -> pd.DataFrame:
        """One row per unplaced talent: the main reason, the counts behind it, the detail
        (who took the seats, what a budget has left and needs) and the names."""
        return unplaced_frame(list(self.reasons), self.round)

    def summary(self) -> str:
        """What a coordinator reads first: how the solve went, the KPIs, the best placements
        and why others were not placed."""
        result = self.result
        if self.evaluation is None:
            groups = ", ".join(result.conflicts) or "none named"
            return f"no solution: {result.status}; conflicting constraints: {groups}"
        gap = "-" if result.gap is None else f"{result.gap:.3%}"
        head = (
            f"{result.solver}: {result.status}, gap {gap}, "
            f"solved in {result.wall_time:.2f} s (compiled in {self.compile_seconds:.2f} s)"
        )
        body = summary_text(
            self.compiled,
            result.edges,
            self.evaluation,
            list(self.reasons),
            stability=self.stability,
        )
        notes = "".join(f"\nnote: {note}" for note in result.notes[:5])
        warnings = "".join(f"\n{line}" for line in self.warnings())
        prices = "" if self.prices is None else "\n\n" + "\n".join(price_lines(self.prices))
        return f"{head}\n{body}{notes}{warnings}{prices}"


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
    if not _has_assignment(result):
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


def _has_assignment(result: Result) -> bool:
    """Whether ``result`` holds an assignment: a solution, or a matching built without some
    constraints (deferred acceptance, ``UNKNOWN``) that the evaluator judges."""
    return result.status.has_solution or result.objective is not None


def write_outcome(outcome: RoundOutcome, folder: Path, xlsx: bool = False) -> list[Path]:
    """Write ``outcome`` into ``folder``: ``result.json`` always; with an assignment also
    ``kpis.json``, ``placements.csv``, ``unplaced.csv`` and, when kept,
    ``blocking_pairs.csv``; with ``xlsx``, ``results.xlsx``, the same results as one
    workbook (:mod:`api.workbook`). Files of an earlier outcome that this one does not have
    are removed. Returns the files written.

    Raises
    ------
    RoundError
        If ``folder`` names an existing file.
    """
    if folder.exists() and not folder.is_dir():
        raise RoundError(f"the results folder {folder} is an existing file")
    return write_outcome_files(outcome_files(outcome, xlsx), folder)


def outcome_files(outcome: RoundOutcome, xlsx: bool = False) -> dict[str, str | bytes]:
    """The contents of the files :func:`write_outcome` writes, by file name: what a batch
    task on another machine sends back for :func:`write_outcome_files` to write."""
    contents: dict[str, str | bytes] = {"result.json": to_json(outcome.result_document())}
    kpis = outcome.kpis_document()
    placements, unplaced = pd.DataFrame(), pd.DataFrame()
    if kpis is not None:
        placements, unplaced = outcome.placements(), outcome.unplaced()
        contents["kpis.json"] = to_json(kpis)
        contents["placements.csv"] = placements.to_csv(index=False)
        contents["unplaced.csv"] = unplaced.to_csv(index=False)
    if outcome.blocking_pairs is not None:
        frame = placements_frame(outcome.compiled, outcome.blocking_pairs)
        columns = ["talent", "package", "lender", "host", "score"]
        contents["blocking_pairs.csv"] = frame[columns].to_csv(index=False)
    if xlsx:
        # imported here: openpyxl is loaded only by a command that writes a workbook
        from api.workbook import results_workbook

        buffer = io.BytesIO()
        results_workbook(
            outcome.result_document().model_dump(mode="json"),
            None if kpis is None else kpis.model_dump(mode="json"),
            placements,
            unplaced,
            buffer,
            round_name=f"{outcome.round.id}: {outcome.round.name}".rstrip(": "),
        )
        contents["results.xlsx"] = buffer.getvalue()
    return contents


def write_outcome_files(contents: dict[str, str | bytes], folder: Path) -> list[Path]:
    """Write the files of :func:`outcome_files` into ``folder``, each whole or not at all,
    and remove the outcome files it does not hold. Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in OUTCOME_FILES:
        if name not in contents:
            (folder / name).unlink(missing_ok=True)
    written = []
    for name, text in contents.items():
        path = folder / name
        # write beside, then rename: a reader never sees half a file
        partial = path.with_name(f".{name}.partial")
        if isinstance(text, bytes):
            partial.write_bytes(text)
        else:
            partial.write_text(text)
        partial.replace(path)
        written.append(path)
    return written


__all__ = [
    "OUTCOME_FILES",
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
