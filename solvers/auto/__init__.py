"""The portfolio behind the ``auto`` method: relaxations, heuristics, HiGHS and CP-SAT with
neighbourhood search, in the order :mod:`solvers.auto.solve` describes."""
