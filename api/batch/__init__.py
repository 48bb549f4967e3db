"""Batch scenarios: many solves of one study, compared in one table and one report.

``cosource batch SCENARIOS.yaml --out DIR`` reads a scenario file (:mod:`api.batch.spec`,
its keys in :mod:`api.batch.settings`), prepares each scenario's task
(:mod:`api.batch.tasks`), runs the tasks on a local process pool (:mod:`api.batch.pool`) or
on Ray (:mod:`api.batch.ray_runner`), retries a failed task once, records each finished
scenario in a state file (:mod:`api.batch.state`) so that an interrupted batch resumes where
it stopped, and writes the comparison table (:mod:`api.batch.table`), the what-if view
(:mod:`api.batch.whatif`) and the HTML report (:mod:`api.batch.report`).
:mod:`api.batch.runner` chains these steps.

Every round's solve is the one round pipeline's (:func:`api.pipeline.run_round`); a
benchmark scenario's instance is solved by the engine through :mod:`solvers.gap`
(:mod:`api.batch.benchmark`).
"""
