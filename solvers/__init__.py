"""Optimization solvers: every method of :data:`solvers.registry.METHODS` returns one Result."""

from solvers.registry import METHODS, solve
from solvers.result import Progress, Result, SolveParams, Status

__all__ = ["METHODS", "Progress", "Result", "SolveParams", "Status", "solve"]
