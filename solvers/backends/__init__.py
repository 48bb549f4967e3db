"""The code that talks to one solver library each: CP-SAT (:mod:`solvers.backends.cpsat`) and
HiGHS (:mod:`solvers.backends.highs`, and in a process of its own
:mod:`solvers.backends.highs_companion`)."""
