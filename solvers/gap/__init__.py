"""The generalized assignment problem (GAP): the public benchmark instances, read from the
shared data folder (:mod:`solvers.gap.read`), the checker of an assignment
(:mod:`solvers.gap.instance`), an instance as the engine's problem
(:mod:`solvers.gap.problem`) and its solve by the engine's methods (:mod:`solvers.gap.solve`).

The benchmark suite (``python -m benchmarks gap``) and ``cosource batch`` both run instances
through these modules.
"""
