"""GAP instances as talent rounds, solved by the engine's own solve path.

A GAP instance maps onto a round of the right shape:

- each agent is a work package hosted by its own hiring organization, with ``n`` seats and a
  hiring budget equal to the agent's capacity;
- each job is a talent (lent by one organization without budgets) who may take one tour;
- every (job, agent) pair is an eligible edge, whose host fee is the resource ``r[i][j]``
  and whose score is ``cmax - c[i][j]`` when minimising (``cmax``: the largest cost) and
  ``c[i][j]`` when maximising;
- the objective is lexicographic: placements first, so every job is placed whenever the
  instance is feasible, then the score, which is then ``n * cmax - cost`` (minimising) or
  ``cost`` (maximising).

:func:`gap_problem` builds a real :class:`~matcher.models.Round` with every eligibility rule
switched off, compiles it, and replaces the integer arrays of its
:class:`~solvers.problem.Problem` (seats, score, fees, budgets) by the instance's, in the
units of :mod:`solvers.problem` (one fee unit per resource unit). The round's own money
amounts are therefore not those of the problem: only the problem's arrays are meaningful, and
the GAP checker (:func:`solvers.gap.instance.evaluate_assignment`) judges the assignment.
:func:`solvers.gap.solve.solve_gap` solves the problem with one of the engine's methods.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from matcher.compile import compile_round
from matcher.models import RULE_NAMES, Organization, Policy, Round, Talent, WorkPackage
from solvers.gap.instance import GapInstance, IntArray, Sense
from solvers.problem import Problem, build_problem
from solvers.units import NO_LIMIT

_START, _END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def gap_round(m: int, n: int) -> Round:
    """A round of ``n`` talents and ``m`` packages in which every pair is eligible."""
    organizations = [Organization(id="jobs", name="jobs", sector="gap")] + [
        Organization(id=f"agent{i}", name=f"agent {i}", sector="gap") for i in range(m)
    ]
    talents = [
        Talent(
            id=f"job{j}",
            lender="jobs",
            age=60,
            salary=0.0,
            available_from=_START,
            available_to=_END,
            region="gap",
        )
        for j in range(n)
    ]
    packages = [
        WorkPackage(
            id=f"agent{i}",
            host=f"agent{i}",
            title=f"agent {i}",
            seats=n,
            start=_START,
            end=_END,
            fee_cap=0.0,
            region="gap",
        )
        for i in range(m)
    ]
    policy = Policy(
        rules=dict.fromkeys(RULE_NAMES, False),
        fairness_penalty=0.0,
        disruption_penalty=0.0,
        objective="lexicographic",
    )
    return Round(organizations=organizations, talents=talents, packages=packages, policy=policy)


@dataclass(frozen=True, eq=False)
class GapProblem:
    """A GAP instance as the engine's problem.

    Attributes
    ----------
    problem
        The integer problem.
    job, agent
        Per edge: job and agent index.
    offset
        Minimising: ``n * cmax``, so that cost = ``offset - score`` of a full assignment;
        0 when maximising (cost = score).
    sense
        The sense of the instance's objective.
    """

    problem: Problem
    job: IntArray
    agent: IntArray
    offset: int
    sense: Sense

    def agents(self, edges: IntArray) -> IntArray | None:
        """Agent of each job under the chosen edges; None unless every job is placed once."""
        agents = np.full(self.problem.n_talents, -1, dtype=np.int64)
        agents[self.job[edges]] = self.agent[edges]
        if (agents < 0).any() or edges.size != agents.size:
            return None
        return agents

    def cost_bound(self, score_bound: float) -> float:
        """A bound on the cost from a bound on the score of a full assignment."""
        return self.offset - score_bound if self.sense is Sense.MIN else score_bound


def gap_problem(instance: GapInstance, sense: Sense) -> GapProblem:
    """The engine's problem of ``instance`` solved in ``sense`` (see the module docstring)."""
    m, n = instance.m, instance.n
    round_ = gap_round(m, n)
    compiled = compile_round(round_)
    if compiled.n_edges != m * n:
        raise RuntimeError(f"{instance.name}: {compiled.n_edges} edges, expected {m * n}.")
    base = build_problem(compiled, round_)
    job = compiled.talent.astype(np.int64)
    agent = compiled.package.astype(np.int64)
    cost = instance.cost[agent, job]
    if sense is Sense.MIN:
        cmax = int(instance.cost.max())
        value, offset = cmax - cost, n * cmax
    else:
        value, offset = cost.copy(), 0
    fee = instance.resource[agent, job].astype(np.int64)
    host_budget = np.full(base.n_orgs, NO_LIMIT, dtype=np.int64)
    org_index = {o: k for k, o in enumerate(compiled.arrays.org_ids)}
    for i in range(m):
        host_budget[org_index[f"agent{i}"]] = int(instance.capacity[i])
    host = base.host
    problem = dataclasses.replace(
        base,
        value=value.astype(np.int64),
        seats=np.full(m, n, dtype=np.int64),
        max_tours=1,
        fte=np.zeros(m * n, dtype=np.int64),
        fee=fee,
        topup=np.zeros(m * n, dtype=np.int64),
        subsidy=np.zeros(m * n, dtype=np.int64),
        host_budget=host_budget,
        lender_budget=np.full(base.n_orgs, NO_LIMIT, dtype=np.int64),
        pool=NO_LIMIT,
        dead=fee > host_budget[host],
    )
    return GapProblem(problem, job, agent, offset, sense)


__all__ = ["GapProblem", "gap_problem", "gap_round"]
