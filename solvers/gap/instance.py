"""A GAP instance, its objective sense, and the independent checker of an assignment.

An instance asks to assign each of ``n`` jobs to one of ``m`` agents: job j at agent i costs
``c[i][j]`` and uses ``r[i][j]`` of the agent's capacity ``b[i]``; the total cost is
minimised or maximised (:class:`Sense`). :func:`evaluate_assignment` scores an assignment from
the instance alone, trusting nothing a solver said about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


class Sense(StrEnum):
    """Objective sense."""

    MIN = "min"
    MAX = "max"


@dataclass(frozen=True, eq=False)
class GapInstance:
    """One GAP instance: assign each of ``n`` jobs to one of ``m`` agents.

    Attributes
    ----------
    name
        Instance name, such as ``gap1-1`` or ``c10400``.
    m
        Number of agents.
    n
        Number of jobs.
    cost
        ``(m, n)`` cost of giving job j to agent i.
    resource
        ``(m, n)`` capacity that job j uses at agent i.
    capacity
        ``(m,)`` capacity of each agent.

    The arrays are stored as read-only ``int64`` copies, so an instance cannot change after
    it is built.
    """

    name: str
    m: int
    n: int
    cost: IntArray
    resource: IntArray
    capacity: IntArray

    def __post_init__(self) -> None:
        if self.m < 1 or self.n < 1:
            raise ValueError(f"{self.name}: m = {self.m}, n = {self.n}; both must be >= 1.")
        for field_name, shape in (
            ("cost", (self.m, self.n)),
            ("resource", (self.m, self.n)),
            ("capacity", (self.m,)),
        ):
            value = np.asarray(getattr(self, field_name))
            if value.shape != shape:
                raise ValueError(f"{self.name}: {field_name} has shape {value.shape}, not {shape}.")
            if not np.issubdtype(value.dtype, np.integer):
                raise ValueError(f"{self.name}: {field_name} must hold integers.")
            frozen = np.array(value, dtype=np.int64, copy=True)
            frozen.setflags(write=False)
            object.__setattr__(self, field_name, frozen)
        if (self.resource < 0).any():
            raise ValueError(f"{self.name}: negative resource use.")
        if (self.capacity < 0).any():
            raise ValueError(f"{self.name}: negative capacity.")


class Evaluation(NamedTuple):
    """Independent score of an assignment.

    Attributes
    ----------
    cost
        Sum of the chosen costs.
    feasible
        Whether every agent stays within its capacity.
    overload
        Per agent, ``max(0, load - capacity)``.
    """

    cost: int
    feasible: bool
    overload: IntArray


def evaluate_assignment(instance: GapInstance, agents: npt.ArrayLike) -> Evaluation:
    """Score an assignment, trusting nothing the solver said about it.

    Parameters
    ----------
    instance
        The instance.
    agents
        Agent index (0-based) of each job 0..n-1.

    Returns
    -------
    Evaluation
        ``(cost, feasible, overload per agent)``.

    Raises
    ------
    ValueError
        If ``agents`` is not ``n`` integers in ``[0, m)``: such an assignment has no cost.
    """
    chosen = np.asarray(agents)
    if chosen.shape != (instance.n,):
        raise ValueError(
            f"{instance.name}: assignment has shape {chosen.shape}, not ({instance.n},)."
        )
    if not np.issubdtype(chosen.dtype, np.integer):
        raise ValueError(f"{instance.name}: assignment must hold integer agent indices.")
    chosen = chosen.astype(np.int64)
    if (chosen < 0).any() or (chosen >= instance.m).any():
        raise ValueError(f"{instance.name}: agent index outside 0..{instance.m - 1}.")
    jobs = np.arange(instance.n)
    cost = int(instance.cost[chosen, jobs].sum())
    load = np.zeros(instance.m, dtype=np.int64)
    np.add.at(load, chosen, instance.resource[chosen, jobs])
    overload = np.maximum(load - instance.capacity, 0)
    return Evaluation(cost, not bool(overload.any()), overload)


def gap_percent(value: float, best_known: float, sense: Sense) -> float:
    """Percent by which ``value`` is worse than ``best_known`` (negative if better).

    ``(value - best) / best`` when minimising, ``(best - value) / best`` when maximising.
    """
    if best_known <= 0:
        raise ValueError("best_known <= 0 not understood.")
    worse_by = value - best_known if sense is Sense.MIN else best_known - value
    return 100.0 * worse_by / best_known


__all__ = ["Evaluation", "GapInstance", "IntArray", "Sense", "evaluate_assignment", "gap_percent"]
