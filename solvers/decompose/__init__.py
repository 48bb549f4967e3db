"""National-scale rounds: a bound with every budget priced, and decomposition into parts
solved in parallel (:func:`solvers.decompose.solve.solve_decomposed`)."""
