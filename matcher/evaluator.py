"""The independent judge of an assignment: hard constraints, objective and round KPIs.

Every solver's output goes through :func:`evaluate`. It shares no code with the solvers and
none with the vectorized rules: eligibility and the cost split are re-checked here one
placement at a time, in plain Python, from the domain models. Only the score of each pair is
taken from the compiled round.

:func:`evaluate` chains the checks and sums the objective. The checks of one placement
(eligibility, the cost split, the outcomes) live in :mod:`matcher.evaluator_pairs`, the
other hard constraints and the gaps to the fairness rules and the floors, one function per
rule, in :mod:`matcher.evaluator_rules`, and the KPIs in :mod:`matcher.evaluator_kpis`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from matcher.compile import CompiledRound
from matcher.evaluator_kpis import Kpis, kpis_of
from matcher.evaluator_pairs import (
    Placement,
    eligibility_failures,
    lookup,
    pair_failures,
    pair_name,
    retained_cost,
    split_cost,
)
from matcher.evaluator_rules import (
    Violation,
    budget_violations,
    capacity_violations,
    decision_violations,
    fairness_gaps,
    floor_gaps,
    links_of,
)
from matcher.fairness import host_excess, lender_targets
from matcher.models import Round
from matcher.objective import SCORE_RESOLUTION, Objective, make_objective, scaled


@dataclass(frozen=True)
class Evaluation:
    """The verdict on an assignment."""

    violations: list[Violation]
    objective: Objective
    kpis: Kpis
    placements: list[Placement] = field(repr=False)

    @property
    def feasible(self) -> bool:
        return not self.violations


def evaluate(
    round_: Round, compiled: CompiledRound, assignment: Iterable[tuple[str, str]]
) -> Evaluation:
    """Check ``assignment`` (pairs of talent id, package id) against every hard constraint
    of ``round_`` and compute its objective and KPIs.

    Parameters
    ----------
    round_
        The round as given.
    compiled
        The compiled round; only its edge scores are used.
    assignment
        The placements, as (talent id, package id) pairs.
    """
    look = lookup(round_)
    policy = round_.policy
    pairs = list(assignment)
    violations: list[Violation] = []

    for pair, count in Counter(pairs).items():
        if count > 1:
            violations.append(Violation("duplicate", pair_name(*pair), f"placed {count} times"))
    pairs = list(dict.fromkeys(pairs))
    known = []
    for t_id, p_id in pairs:
        if t_id not in look.talents or p_id not in look.packages:
            violations.append(Violation("unknown", pair_name(t_id, p_id), "no such record"))
        else:
            known.append((t_id, p_id))
    pairs = known

    talent_index = {x: i for i, x in enumerate(compiled.arrays.talent_ids)}
    package_index = {x: i for i, x in enumerate(compiled.arrays.package_ids)}
    placements: list[Placement] = []
    edges = compiled.edge_index(
        np.array([talent_index[t] for t, _ in pairs], dtype=np.int64),
        np.array([package_index[p] for _, p in pairs], dtype=np.int64),
    ).tolist()
    for (t_id, p_id), edge in zip(pairs, edges, strict=True):
        failures = eligibility_failures(round_, look, t_id, p_id)
        if failures:
            violations.append(
                Violation("eligibility", pair_name(t_id, p_id), "fails " + ", ".join(failures))
            )
        if edge < 0 and not failures:
            violations.append(
                Violation("edge", pair_name(t_id, p_id), "eligible but pruned from the edges")
            )
        fee, subsidy, topup = split_cost(
            look.talents[t_id], look.packages[p_id], policy.subsidy_share
        )
        score = float(compiled.score[edge]) if edge >= 0 else 0.0
        placements.append(Placement(t_id, p_id, fee, subsidy, topup, score))

    violations += capacity_violations(round_, look, pairs)
    violations += budget_violations(round_, look, placements)
    violations += decision_violations(round_, pairs)
    shortfalls, excesses = fairness_gaps(round_, look, compiled, pairs)
    if policy.fairness == "hard":
        for org_id, gap in shortfalls.items():
            violations.append(
                Violation("min_per_lender", f"organization '{org_id}'", f"{gap} placements short")
            )
        for org_id, gap in excesses.items():
            violations.append(
                Violation("max_host_share", f"organization '{org_id}'", f"{gap} placements over")
            )
        penalty_gaps = 0
    else:
        penalty_gaps = sum(shortfalls.values()) + sum(excesses.values())

    kept = set(pairs)
    dropped = sum(
        1 for x in round_.previous if x.status == "proposed" and (x.talent, x.package) not in kept
    )
    penalty = penalty_gaps * int(scaled(policy.fairness_penalty)) + dropped * int(
        scaled(policy.disruption_penalty)
    )
    for name, (floor, reached, short) in floor_gaps(round_, look, pairs).items():
        if floor.mode == "soft":
            penalty += short * int(scaled(floor.penalty))
        elif short:
            violations.append(
                Violation(
                    "floor",
                    f"floor '{name}'",
                    f"{reached} of {len(pairs)} placements, below the share {floor.share:g}: "
                    f"{short} placements short",
                )
            )
    score_units = int(scaled([x.score for x in placements]).sum()) if placements else 0
    links = len(links_of(look, pairs))
    objective = make_objective(len(placements), score_units, penalty, policy, links)
    kpis = kpis_of(round_, look, compiled, placements)
    return Evaluation(violations, objective, kpis, placements)


__all__ = [
    "SCORE_RESOLUTION",
    "Evaluation",
    "Kpis",
    "Placement",
    "Violation",
    "evaluate",
    "host_excess",
    "lender_targets",
    "pair_failures",
    "retained_cost",
    "split_cost",
]
