"""A solved round as the front ends see it: :class:`RoundOutcome`, what
:func:`api.pipeline.run_round` returns, and the documents, tables and summary it gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from api.documents import KpisDocument, ResultDocument
from api.texts import price_lines
from matcher.compile import CompiledRound
from matcher.evaluator import Evaluation
from matcher.explain import UnplacedReason
from matcher.models import Round
from matcher.report import placements_frame, summary_text, unplaced_frame
from matcher.stability import StabilityKpis
from solvers.prices import Prices
from solvers.result import Result

Int64Array = np.ndarray[tuple[int], np.dtype[np.int64]]

MAX_WARNINGS = 3
"""Broken constraints named in a summary's warning line."""


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
        return has_assignment(self.result)

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


def has_assignment(result: Result) -> bool:
    """Whether ``result`` holds an assignment: a solution, or a matching built without some
    constraints (deferred acceptance, ``UNKNOWN``) that the evaluator judges."""
    return result.status.has_solution or result.objective is not None


__all__ = ["MAX_WARNINGS", "RoundOutcome", "has_assignment"]
