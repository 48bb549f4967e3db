"""Optimization solvers: CP-SAT core, min-cost flow, greedy; one Result type."""

from solvers.result import Progress, Result, SolveParams, Status
from solvers.solve import SOLVERS, solve

__all__ = ["SOLVERS", "Progress", "Result", "SolveParams", "Status", "solve"]
