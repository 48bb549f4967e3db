"""Peers for the GAP benchmark: plain CP-SAT, HiGHS through SciPy, and a regret greedy.

Every solver here has one signature, ``solve(instance, sense, time_limit, seed)``, and returns
a :class:`PeerResult` whose objective is the independent checker's score of the assignment
(:func:`solvers.gap.instance.evaluate_assignment`), never the solver's own account of it.

OR-Tools and SciPy's bundled HiGHS load into one process without trouble (unlike OR-Tools and
the ``highspy`` package), so every peer runs in-process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]
from ortools.sat.python import cp_model
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from solvers.gap.instance import GapInstance, IntArray, Sense, evaluate_assignment
from solvers.result import SolveParams

CPSAT_WORKERS = 2
"""The machines this runs on have 2 cores."""


@dataclass(frozen=True, eq=False)
class PeerResult:
    """The outcome of one solve.

    Attributes
    ----------
    name
        Solver name.
    objective
        Checker's cost of the assignment; None without a feasible assignment.
    bound
        Best proven bound on the optimum in the run's sense, None if unknown.
    proven_optimal
        Whether the solver proved ``objective`` optimal.
    seconds
        Wall-clock time of the whole call: model building and solving.
    agents
        Agent index (0-based) of each job, None without a feasible assignment.
    note
        Why there is no assignment, or anything else worth a line in a report.
    """

    name: str
    objective: int | None
    bound: float | None
    proven_optimal: bool
    seconds: float
    agents: IntArray | None
    note: str = ""

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError("seconds < 0 not understood.")
        if (self.objective is None) != (self.agents is None):
            raise ValueError("objective and agents must both be given or both be None.")
        if self.proven_optimal and self.objective is None:
            raise ValueError("proven_optimal without an objective not understood.")


SolveFn = Callable[[GapInstance, Sense, float, int], PeerResult]


def _checked(
    name: str,
    instance: GapInstance,
    agents: IntArray,
    claimed: float,
    bound: float | None,
    proven_optimal: bool,
    started: float,
) -> PeerResult:
    """Score ``agents`` with the checker; an over-capacity assignment becomes no assignment."""
    evaluation = evaluate_assignment(instance, agents)
    seconds = time.perf_counter() - started
    if not evaluation.feasible:
        overloaded = np.flatnonzero(evaluation.overload).tolist()
        return PeerResult(
            name, None, bound, False, seconds, None, f"assignment over capacity at {overloaded}"
        )
    # A solver whose own objective disagrees with the checker has a wrong model: stop here
    # rather than publish numbers from it.
    if abs(evaluation.cost - claimed) > 0.5:
        raise RuntimeError(
            f"{name} on {instance.name}: solver says {claimed}, checker {evaluation.cost}."
        )
    return PeerResult(name, evaluation.cost, bound, proven_optimal, seconds, agents)


def solve_cpsat(instance: GapInstance, sense: Sense, time_limit: float, seed: int) -> PeerResult:
    """Plain CP-SAT: a Boolean per (agent, job), no hint, :data:`CPSAT_WORKERS` workers.

    Parameters
    ----------
    instance
        The instance.
    sense
        Minimise or maximise the total cost.
    time_limit
        Seconds for the solve.
    seed
        CP-SAT's ``random_seed``.

    Returns
    -------
    PeerResult
        ``bound`` is CP-SAT's best objective bound; ``proven_optimal`` means status OPTIMAL.
    """
    started = time.perf_counter()
    m, n = instance.m, instance.n
    model = cp_model.CpModel()
    # x[i][j] = 1 if job j goes to agent i
    x = [[model.new_bool_var(f"x[{i},{j}]") for j in range(n)] for i in range(m)]
    for j in range(n):
        model.add_exactly_one(x[i][j] for i in range(m))
    for i in range(m):
        model.add(
            cp_model.LinearExpr.weighted_sum(x[i], instance.resource[i].tolist())
            <= int(instance.capacity[i])
        )
    flat = [var for row in x for var in row]
    objective = cp_model.LinearExpr.weighted_sum(flat, instance.cost.ravel().tolist())
    if sense is Sense.MIN:
        model.minimize(objective)
    else:
        model.maximize(objective)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = CPSAT_WORKERS
    solver.parameters.random_seed = seed
    status = solver.solve(model)

    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"CP-SAT on {instance.name}: model invalid ({model.validate()}).")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        note = "proven infeasible" if status == cp_model.INFEASIBLE else "no solution in time"
        bound = None if status == cp_model.INFEASIBLE else _finite(solver.best_objective_bound)
        return PeerResult("cpsat", None, bound, False, time.perf_counter() - started, None, note)
    solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
    index = np.asarray([var.index for var in flat], dtype=np.int64).reshape(m, n)
    agents = np.argmax(solution[index], axis=0).astype(np.int64)
    return _checked(
        "cpsat",
        instance,
        agents,
        solver.objective_value,
        solver.best_objective_bound,
        status == cp_model.OPTIMAL,
        started,
    )


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None


def solve_highs(instance: GapInstance, sense: Sense, time_limit: float, seed: int) -> PeerResult:
    """HiGHS MIP through :func:`scipy.optimize.milp`, on the same Boolean model.

    Parameters
    ----------
    instance
        The instance.
    sense
        Minimise or maximise the total cost.
    time_limit
        HiGHS's ``time_limit`` in seconds.
    seed
        Unused: SciPy does not pass a seed to HiGHS, whose runs are deterministic.

    Returns
    -------
    PeerResult
        ``bound`` is HiGHS's ``mip_dual_bound`` in the run's sense. The relative gap
        tolerance is set to 0, so ``proven_optimal`` (status 0) means optimal, not within
        HiGHS's default 0.01 %.
    """
    del seed
    started = time.perf_counter()
    m, n = instance.m, instance.n
    # column i * n + j is x[i][j], 1 if job j goes to agent i
    columns = np.arange(m * n)
    each_job_once = sp.csr_array(
        (np.ones(m * n), (np.tile(np.arange(n), m), columns)), shape=(n, m * n)
    )
    capacity = sp.csr_array(
        (instance.resource.ravel().astype(float), (np.repeat(np.arange(m), n), columns)),
        shape=(m, m * n),
    )
    # milp minimises; a maximisation is solved as the minimisation of -c.
    sign = 1.0 if sense is Sense.MIN else -1.0
    result = milp(
        c=sign * instance.cost.ravel().astype(float),
        integrality=np.ones(m * n),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(each_job_once, 1, 1),
            LinearConstraint(capacity, -np.inf, instance.capacity.astype(float)),
        ],
        options={"time_limit": time_limit, "disp": False, "mip_rel_gap": 0.0},
    )
    dual_bound = getattr(result, "mip_dual_bound", None)
    bound = None
    if dual_bound is not None and np.isfinite(dual_bound) and result.status != 2:
        bound = sign * float(dual_bound)
    if result.x is None:
        note = "proven infeasible" if result.status == 2 else f"no solution: {result.message}"
        return PeerResult("highs", None, bound, False, time.perf_counter() - started, None, note)
    agents = np.argmax(np.asarray(result.x).reshape(m, n), axis=0).astype(np.int64)
    return _checked(
        "highs", instance, agents, sign * float(result.fun), bound, result.status == 0, started
    )


GREEDY_CRITERIA: tuple[str, ...] = ("cost", "resource")
"""Desirability measures the greedy tries, in order (see :func:`solve_greedy`)."""


def solve_greedy(instance: GapInstance, sense: Sense, time_limit: float, seed: int) -> PeerResult:
    """Regret greedy (Martello and Toth's MTHG): place jobs one by one, most to lose first.

    Each step looks at every unplaced job's agents with enough capacity left and places the
    job whose best option beats its second best by most (a job with one option left goes
    first) on its best option. "Best" is measured by each of :data:`GREEDY_CRITERIA` in
    turn: ``cost`` (the cheapest agent when minimising, the dearest when maximising), then
    ``resource`` (the agent for which the job uses the least share of capacity, which finds
    feasible assignments where costs alone run agents full). The best feasible outcome is
    then improved by one pass that moves each job to a better agent with room. Ties go to
    the lowest index.

    Parameters
    ----------
    instance
        The instance.
    sense
        Minimise or maximise the total cost.
    time_limit
        Unused: the greedy takes a few seconds at most, on 80 x 1600.
    seed
        Unused: the greedy is deterministic.

    Returns
    -------
    PeerResult
        No bound and never proven optimal; ``note`` names the criterion that gave the
        assignment, or why there is none when every criterion leaves a job without room.
    """
    del time_limit, seed
    started = time.perf_counter()
    # value[i, j]: what giving job j to agent i is worth, higher is better
    value = (-instance.cost if sense is Sense.MIN else instance.cost).astype(float)
    desirabilities = {
        "cost": value,
        "resource": -instance.resource / np.maximum(instance.capacity, 1)[:, None],
    }
    best: tuple[float, str, IntArray] | None = None
    failures = []
    for criterion in GREEDY_CRITERIA:
        agents, failure = _regret_greedy(instance, desirabilities[criterion])
        if agents is None:
            failures.append(f"{criterion}: {failure}")
            continue
        worth = float(value[agents, np.arange(instance.n)].sum())
        if best is None or worth > best[0]:
            best = (worth, criterion, agents)
    if best is None:
        note = "; ".join(failures)
        return PeerResult("greedy", None, None, False, time.perf_counter() - started, None, note)
    _, criterion, agents = best
    _improve(instance, value, agents)
    claimed = float(instance.cost[agents, np.arange(instance.n)].sum())
    result = _checked("greedy", instance, agents, claimed, None, False, started)
    return replace(result, note=result.note or f"criterion {criterion}")


def _regret_greedy(
    instance: GapInstance, desirability: npt.NDArray[np.float64]
) -> tuple[IntArray | None, str]:
    """One regret-greedy pass; the agents, or None and why."""
    remaining = instance.capacity.copy()
    unplaced = np.arange(instance.n)
    agents = np.full(instance.n, -1, dtype=np.int64)
    while unplaced.size:
        fits = instance.resource[:, unplaced] <= remaining[:, None]
        placeable = fits.any(axis=0)
        if not placeable.all():
            stuck = int(unplaced[np.argmin(placeable)])
            placed = instance.n - unplaced.size
            return None, f"job {stuck} fits no agent after {placed} placements"
        score = np.where(fits, desirability[:, unplaced], -np.inf)
        best = np.argmax(score, axis=0)
        if instance.m > 1:
            top_two = np.partition(score, instance.m - 2, axis=0)[-2:]
            regret = top_two[1] - top_two[0]  # inf when only one agent has room
        else:
            regret = np.zeros(unplaced.size)
        pick = int(np.argmax(regret))
        job, agent = int(unplaced[pick]), int(best[pick])
        agents[job] = agent
        remaining[agent] -= instance.resource[agent, job]
        unplaced = np.delete(unplaced, pick)
    return agents, ""


def _improve(instance: GapInstance, value: npt.NDArray[np.float64], agents: IntArray) -> None:
    """Move each job, in index order, to its most valuable agent with room (in place)."""
    jobs = np.arange(instance.n)
    remaining = instance.capacity.copy()
    np.subtract.at(remaining, agents, instance.resource[agents, jobs])
    for job in range(instance.n):
        current = int(agents[job])
        room = instance.resource[:, job] <= remaining
        room[current] = True
        target = int(np.argmax(np.where(room, value[:, job], -np.inf)))
        if value[target, job] > value[current, job]:
            remaining[current] += instance.resource[current, job]
            remaining[target] -= instance.resource[target, job]
            agents[job] = target


def solve_ours(instance: GapInstance, sense: Sense, time_limit: float, seed: int) -> PeerResult:
    """The project's optimization core on a GAP instance.

    The instance becomes a talent round (:func:`solvers.gap.problem.gap_problem`) and goes
    through the same solve path as any round with budgets
    (:func:`solvers.auto.solve.solve_problem`: relaxations, Lagrangian phase, CP-SAT and
    large-neighbourhood search), with :data:`CPSAT_WORKERS` workers.

    Parameters
    ----------
    instance
        The instance.
    sense
        Minimise or maximise the total cost.
    time_limit
        Seconds for the whole call, the mapping included.
    seed
        Random seed.

    Returns
    -------
    PeerResult
        ``bound`` is the engine's bound in cost units; ``proven_optimal`` means the engine
        proved its assignment optimal.
    """
    from solvers.gap.solve import solve_gap  # the engine loads only when asked for

    started = time.perf_counter()
    params = SolveParams(time_limit=time_limit, workers=CPSAT_WORKERS, seed=seed)
    mapped, result = solve_gap(instance, sense, params)
    agents = None if result.objective is None else mapped.agents(result.edges)
    bound = None
    # the engine's bound holds given its placements: a cost bound only when all are placed
    if result.bound is not None and agents is not None:
        bound = mapped.cost_bound(result.bound)
    if agents is None:
        note = "; ".join(result.notes) or "no assignment placing every job"
        return PeerResult("ours", None, bound, False, time.perf_counter() - started, None, note)
    claimed = float(instance.cost[agents, np.arange(instance.n)].sum())
    proven = result.status.value == "optimal"
    return _checked("ours", instance, agents, claimed, bound, proven, started)


SOLVERS: Mapping[str, SolveFn] = MappingProxyType(
    {"ours": solve_ours, "cpsat": solve_cpsat, "highs": solve_highs, "greedy": solve_greedy}
)
"""Solver name -> solve function; the runner's ``--solvers`` choices."""

SEED_INDEPENDENT: frozenset[str] = frozenset({"highs", "greedy"})
"""Solvers that ignore the seed; the runner runs them once per instance and sense."""
