"""The answers of ``why-not`` and ``shortlist`` as documents: JSON, and CSV for a shortlist.

Like :mod:`api.documents`, each document is a pydantic model defined once, with its own
:data:`ANSWER_SCHEMA_VERSION`, so that the command line, a service and a script read and
write the same shape. A why-not document keeps the score and the penalties apart: ``change``
says what forcing the pair does to each, in score points, beside both objectives in the
solvers' integer units. A shortlist is the coordinator's view (see
:func:`api.texts.shortlist_text`): the score components with the host's fee.
"""

from __future__ import annotations

import csv
import io

from pydantic import BaseModel, ConfigDict

from api.documents import ObjectiveDocument
from api.why_not import WhyNot
from matcher.compile import CompiledRound
from matcher.eligibility import REASONS
from matcher.models import SCORE_NAMES
from matcher.shortlists import Shortlist

ANSWER_SCHEMA_VERSION = 1
"""The version of the why-not and shortlist documents' shape."""

_DIGITS = 6
"""Decimals kept of a score (computed in float32) in a document."""


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FailedRule(_Answer):
    """One eligibility rule the pair fails: its code, the rule in words, and the facts."""

    rule: str
    reason: str
    detail: str


class ObjectiveChange(_Answer):
    """What forcing a pair changes, in score points: placements, score and penalties apart."""

    placements: int
    score: float
    penalty: float


WHY_NOT_COLUMNS = (
    "talent",
    "package",
    "eligible",
    "rule",
    "detail",
    "placed",
    "placements_change",
    "score_change",
    "penalty_change",
    "status",
    "conflicts",
    "answer",
)
"""The columns of a why-not answer as CSV."""


class WhyNotDocument(_Answer):
    """The answer to "why is talent T not on package P?" (:class:`api.why_not.WhyNot`).

    ``status`` is how the solve with the pair pinned ended, ``base_status`` how the solve
    without it ended when that found no assignment; ``conflicts`` names the constraint
    groups that make forcing the pair (or the round itself) infeasible.
    """

    schema_version: int = ANSWER_SCHEMA_VERSION
    talent: str
    package: str
    eligible: bool
    failing_rules: list[FailedRule]
    placed: bool
    base: ObjectiveDocument | None
    forced: ObjectiveDocument | None
    change: ObjectiveChange | None
    status: str | None
    base_status: str | None
    conflicts: list[str]
    answer: str

    def csv(self) -> str:
        """One row per failing rule (one row when the pair is eligible): the pair, the rule
        and its detail, whether it is placed, the change forcing it brings (placements,
        score and penalties in score points), the status and the answer."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(WHY_NOT_COLUMNS)
        change = self.change
        tail: list[object] = [
            "" if change is None else change.placements,
            "" if change is None else change.score,
            "" if change is None else change.penalty,
            self.status or "",
            "; ".join(self.conflicts),
            self.answer,
        ]
        rules = [(r.rule, r.detail) for r in self.failing_rules] or [("", "")]
        for rule, detail in rules:
            row: list[object] = [self.talent, self.package, self.eligible, rule, detail]
            writer.writerow([*row, self.placed, *tail])
        return out.getvalue()

    @classmethod
    def of(cls, answer: WhyNot) -> WhyNotDocument:
        solved = answer.base is not None and answer.forced is not None
        placements, score, penalty = answer.change()
        return cls(
            talent=answer.talent,
            package=answer.package,
            eligible=answer.eligible,
            failing_rules=[
                FailedRule(rule=r, reason=REASONS[r], detail=answer.details.get(r, REASONS[r]))
                for r in answer.failing_rules
            ],
            placed=answer.placed,
            base=None if answer.base is None else ObjectiveDocument.of(answer.base),
            forced=None if answer.forced is None else ObjectiveDocument.of(answer.forced),
            change=ObjectiveChange(placements=placements, score=score, penalty=penalty)
            if solved
            else None,
            status=None if answer.forced_status is None else str(answer.forced_status),
            base_status=None if answer.base_status is None else str(answer.base_status),
            conflicts=list(answer.conflicts),
            answer=answer.text(),
        )


class Candidate(_Answer):
    """One line of a shortlist: rank (1 = best), the candidate's id, the total score, each
    score component and, on a package's shortlist, the host's monthly fee."""

    rank: int
    candidate: str
    score: float
    components: dict[str, float]
    host_fee: float | None


class ShortlistDocument(_Answer):
    """A shortlist: of talents for a package (``of == "package"``) or of packages for a
    talent, best first."""

    schema_version: int = ANSWER_SCHEMA_VERSION
    of: str
    owner: str
    candidates: list[Candidate]

    @classmethod
    def build(
        cls, compiled: CompiledRound, shortlist: Shortlist, for_package: bool
    ) -> ShortlistDocument:
        rows = zip(
            shortlist.partner_ids, shortlist.breakdown(), shortlist.edges.tolist(), strict=True
        )
        candidates = [
            Candidate(
                rank=rank,
                candidate=partner,
                score=round(parts["score"], _DIGITS),
                components={n: round(parts[n], _DIGITS) for n in SCORE_NAMES},
                host_fee=round(float(compiled.host_fee[edge]), 2) if for_package else None,
            )
            for rank, (partner, parts, edge) in enumerate(rows, start=1)
        ]
        owner_kind = "package" if for_package else "talent"
        return cls(of=owner_kind, owner=shortlist.owner, candidates=candidates)

    def csv(self) -> str:
        """One row per candidate: rank, the candidate (``talent`` or ``package``), score,
        the components and, on a package's shortlist, ``host_fee``."""
        partner = "talent" if self.of == "package" else "package"
        header = ["rank", partner, "score", *SCORE_NAMES]
        if self.of == "package":
            header.append("host_fee")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for c in self.candidates:
            row: list[object] = [c.rank, c.candidate, c.score]
            row += [c.components[n] for n in SCORE_NAMES]
            if self.of == "package":
                row.append(c.host_fee)
            writer.writerow(row)
        return out.getvalue()


__all__ = [
    "ANSWER_SCHEMA_VERSION",
    "WHY_NOT_COLUMNS",
    "Candidate",
    "FailedRule",
    "ObjectiveChange",
    "ShortlistDocument",
    "WhyNotDocument",
]
