"""How far an infeasible hard floor can go: the largest share of the placements with its
outcome that every other hard constraint allows (pins, accepted placements, hard fairness,
the other floors), so that an infeasible round says "the learning floor of 1 cannot be
met; at most 0.667 can".

The empty assignment meets every floor, so a floor is infeasible only with placements that
must be made. The largest reachable share is found by bisection over the floor's share in
steps of 1/:data:`~matcher.floors.FLOOR_RESOLUTION`, each step a CP-SAT feasibility solve of
the model with the floor at that share (the model's rows, :mod:`solvers.model`).
"""

from __future__ import annotations

import dataclasses
import time

from ortools.sat.python import cp_model

from matcher.floors import FLOOR_RESOLUTION
from solvers.backends.cpsat import new_solver, to_cp_model
from solvers.checks import floor_group
from solvers.model.build import build_spec
from solvers.problem import Problem, with_dead


def floor_reach(problem: Problem, index: int, time_limit: float, seed: int = 0) -> float | None:
    """The largest share that floor ``problem.floors[index]`` can reach under every other
    hard constraint, in steps of 1/1000; None when even a share of 0 is infeasible (other
    constraints conflict) or the time ran out before the first answer. When the time runs
    out later, the largest share proven reachable so far."""
    deadline = time.perf_counter() + time_limit
    floor = problem.floors[index]

    def feasible(units: int) -> bool | None:
        floors = list(problem.floors)
        floors[index] = dataclasses.replace(floor, units=units)
        # the edges a floor of share 1 ruled out come back below 1
        trial = with_dead(dataclasses.replace(problem, floors=tuple(floors)))
        spec = build_spec(trial, for_conflicts=True)
        for literal in spec.literals:  # every group enforced
            spec.lo[literal] = 1
        solver = new_solver()
        solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.05)
        solver.parameters.num_workers = 2
        solver.parameters.random_seed = seed
        code = solver.solve(to_cp_model(spec))
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return True
        return False if code == cp_model.INFEASIBLE else None

    if not feasible(0):
        return None
    low, high = 0, floor.units  # low is reachable; high, the floor asked for, is not
    while high - low > 1 and time.perf_counter() < deadline:
        middle = (low + high) // 2
        answer = feasible(middle)
        if answer is None:
            break
        if answer:
            low = middle
        else:
            high = middle
    return low / FLOOR_RESOLUTION


def explain_floors(
    problem: Problem, conflicts: list[str], time_limit: float, seed: int = 0
) -> list[str]:
    """``conflicts`` with each hard floor among them followed by its share asked and the
    largest share reachable: ``learning floor (share 1 asked, at most 0.5 reachable)``."""
    groups = {floor_group(f.name): i for i, f in enumerate(problem.floors) if f.hard}
    named = [g for g in conflicts if g in groups]
    if not named:
        return conflicts
    deadline = time.perf_counter() + time_limit
    out = []
    for group in conflicts:
        if group not in groups:
            out.append(group)
            continue
        i = groups[group]
        left = (deadline - time.perf_counter()) / max(1, len(named))
        reach = floor_reach(problem, i, max(left, 0.5), seed)
        asked = f"share {problem.floors[i].units / FLOOR_RESOLUTION:g} asked"
        if reach is None:
            out.append(f"{group} ({asked})")
        else:
            out.append(f"{group} ({asked}, at most {reach:g} reachable)")
        named.remove(group)
    return out
