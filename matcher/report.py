"""Round results as tables and text: placements, unplaced talents with reasons, KPIs.

The tables are what ``placements.csv`` and ``unplaced.csv`` hold (written by
:func:`api.outcome_files.write_outcome`); :func:`summary_text` is what a coordinator reads first.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.compile import CompiledRound
from matcher.evaluator import Evaluation, Kpis
from matcher.explain import UnplacedReason, summarize_explanations
from matcher.models import SCORE_NAMES, Policy, Round
from matcher.stability import StabilityKpis

UNPLACED_COLUMNS = ["talent", "reason", "explanation", "counts", "detail", "package", "score"]
"""The first columns of :func:`unplaced_frame` (``budget_left`` and ``budget_needed`` follow,
then, with a round, the names)."""


def placements_frame(
    compiled: CompiledRound, edges: npt.NDArray[np.integer], round_: Round | None = None
) -> pd.DataFrame:
    """One row per chosen edge: ids, organizations, scores and cost split; with ``round_``,
    then the package's title, the lender's and host's names, the tour's start, end and
    FTE (talents have no name)."""
    a = compiled.arrays
    e = np.asarray(edges, dtype=np.int64)
    t, p = compiled.talent[e], compiled.package[e]
    frame = pd.DataFrame(
        {
            "talent": [a.talent_ids[i] for i in t.tolist()],
            "package": [a.package_ids[i] for i in p.tolist()],
            "lender": [a.org_ids[i] for i in a.talent_lender[t].tolist()],
            "host": [a.org_ids[i] for i in a.package_host[p].tolist()],
            "score": np.round(compiled.score[e].astype(np.float64), 4),
        }
    )
    for i, name in enumerate(SCORE_NAMES):
        frame[name] = np.round(compiled.components[e, i].astype(np.float64), 4)
    frame["retained"] = np.round(compiled.retained[e], 2)
    frame["host_fee"] = np.round(compiled.host_fee[e], 2)
    frame["subsidy"] = np.round(compiled.subsidy[e], 2)
    frame["topup"] = np.round(compiled.topup[e], 2)
    if round_ is not None:
        orgs = {o.id: o.name for o in round_.organizations}
        packages = {x.id: x for x in round_.packages}
        chosen = [packages[i] for i in frame["package"]]
        frame["package_title"] = [x.title for x in chosen]
        frame["lender_name"] = [orgs[i] for i in frame["lender"]]
        frame["host_name"] = [orgs[i] for i in frame["host"]]
        frame["start"] = [x.start.isoformat() for x in chosen]
        frame["end"] = [x.end.isoformat() for x in chosen]
        frame["fte"] = [x.fte for x in chosen]
    return frame


def unplaced_frame(reasons: list[UnplacedReason], round_: Round | None = None) -> pd.DataFrame:
    """One row per unplaced talent: reason code, its meaning (cause included), the counts
    behind it, one sentence of detail, the package it is about and the talent's score
    there, and, for a binding budget, the amount left and the amount needed (per month).
    With ``round_``, the names: the talent's lender, the package's title and host."""
    frame = pd.DataFrame(
        {
            "talent": [r.talent for r in reasons],
            "reason": [r.reason for r in reasons],
            "explanation": [r.explanation() for r in reasons],
            "counts": [";".join(f"{k}:{v}" for k, v in r.counts.items()) for r in reasons],
            "detail": [r.detail for r in reasons],
            "package": [r.package for r in reasons],
            "score": [r.score for r in reasons],
        },
        columns=UNPLACED_COLUMNS,
    )
    frame["budget_left"] = [None if r.left is None else round(r.left, 2) for r in reasons]
    frame["budget_needed"] = [None if r.needed is None else round(r.needed, 2) for r in reasons]
    if round_ is not None:
        orgs = {o.id: o.name for o in round_.organizations}
        lenders = {t.id: t.lender for t in round_.talents}
        packages = {x.id: x for x in round_.packages}
        frame["lender"] = [lenders[r.talent] for r in reasons]
        frame["lender_name"] = [orgs[lenders[r.talent]] for r in reasons]
        held = [packages.get(r.package) for r in reasons]
        frame["package_title"] = [x.title if x else "" for x in held]
        frame["host"] = [x.host if x else "" for x in held]
        frame["host_name"] = [orgs[x.host] if x else "" for x in held]
    return frame


def _floor_lines(policy: Policy, k: Kpis) -> list[str]:
    """One line per outcome floor of the policy: its share asked and reached, of the
    placements (``learning floor 1 (hard): reached 100.0% of placements``)."""
    return [
        f"  {name} floor {floor.share:g} ({floor.mode}): reached "
        f"{getattr(k, f'{name}_placement_share'):.1%} of placements"
        for name, floor in policy.active_floors().items()
    ]


def _links_line(links: int, new_links: int | None, share: float | None) -> str:
    """The round's distinct lender-host links and how many are new against the previous
    round's placements; without previous placements only the links (``kpis.json`` holds
    null for the new ones then: a summary names no previous round the round does not
    have)."""
    line = f"  lender-host links          {links:6,}"
    if new_links is None or share is None:
        return line
    return f"{line} ({new_links:,} new against the previous round's placements, {share:.1%})"


def summary_text(
    compiled: CompiledRound,
    edges: npt.NDArray[np.integer],
    evaluation: Evaluation,
    reasons: list[UnplacedReason],
    top: int = 10,
    stability: StabilityKpis | None = None,
) -> str:
    """A readable summary of a solved round: KPIs, the best placements, why others were not."""
    k = evaluation.kpis
    verdict = (
        "feasible (checked by the evaluator)"
        if evaluation.feasible
        else f"INFEASIBLE: {len(evaluation.violations)} violations, "
        f"first: {evaluation.violations[0]}"
    )
    lines = [
        f"placed {k.placed_talents:,} of {k.talents:,} talents ({k.placement_rate:.1%}), "
        f"{k.placements:,} of {k.seats:,} seats filled ({k.seat_fill_rate:.1%})",
        f"  learn something they want  {k.learning_share:6.1%}",
        f"  use their strengths        {k.strengths_share:6.1%}",
        f"  move to another sector     {k.cross_sector_share:6.1%}",
        f"  placement rate per lender  {k.lender_rate_min:6.1%} to {k.lender_rate_max:.1%}",
        f"  mean score                 {k.mean_score:6.3f}",
        _links_line(k.links, k.new_links, k.new_link_share),
        f"  monthly host fees {k.host_fees:,.0f}, lender top-ups {k.topups:,.0f}, "
        f"subsidy {k.subsidy:,.0f}",
        *_floor_lines(compiled.policy, k),
        verdict,
    ]
    if stability is not None:
        lines.append(
            "stable: no talent and package would both rather be together"
            if stability.stable
            else f"blocking pairs {stability.blocking_pairs:,} "
            f"({stability.blocking_talents:,} talents, {stability.blocking_packages:,} packages "
            "would rather be together than with what they got)"
        )
    frame = placements_frame(compiled, edges).sort_values("score", ascending=False).head(top)
    if len(frame):
        lines.append(f"\ntop {len(frame)} placements:")
        for row in frame.itertuples():
            lines.append(
                f"  {row.talent:<10} -> {row.package:<18} score {row.score:.3f} "
                f"(strengths {row.strengths:.2f}, learning {row.learning:.2f}) "
                f"fee {row.host_fee:,.0f} + top-up {row.topup:,.0f}"
            )
    summary = summarize_explanations(reasons)
    if summary:
        lines.append(f"\nwhy {len(reasons):,} talents were not placed:")
        for explanation, n in summary.items():
            lines.append(f"  {n:>7,}  {explanation}")
    return "\n".join(lines)
