"""The model of a round as arrays, for any solver: every constraint of the evaluator over the
eligible edges (:mod:`solvers.model.spec`, :mod:`solvers.model.rows`,
:mod:`solvers.model.build`). CP-SAT (:mod:`solvers.backends.cpsat`) and HiGHS
(:mod:`solvers.backends.highs`) are given the same arrays.

The model
---------
One Boolean per eligible edge and a few integer counters; every constraint is linear:

- seats: per package, ``sum x <= seats``;
- tours: per talent, ``sum x <= max_tours_per_talent`` and, when that exceeds one, the FTE of
  the talent's packages running on any day within the talent's FTE: one row per maximal set
  of overlapping tours (a start day whose running tours are not all still running at the
  next start day), with FTE in integer units;
- budgets: host fees per hiring organization, top-ups per lending organization and the
  subsidy pool, in integer cents (amounts rounded up, budgets down: see
  :mod:`solvers.problem`);
- fairness: ``min_per_lender`` (targets from :func:`matcher.fairness.lender_targets`) and
  ``max_host_share`` (per host, ``SHARE_RESOLUTION * placed_at_host <= share_units *
  placed``, the rule of :func:`matcher.fairness.host_excess`), as constraints when hard, with
  integer slacks priced at the fairness penalty per unit when soft;
- outcome floors (policy ``floors``): per floor, ``sum((FLOOR_RESOLUTION * outcome_e -
  units) * x_e) >= 0`` over the edges, where ``outcome_e`` says whether edge ``e`` counts
  towards the floor (:data:`matcher.floors.OUTCOMES`) and ``units`` is the share in
  1/1000; a soft floor adds ``FLOOR_RESOLUTION * short`` to its row, ``short`` priced at
  the floor's penalty per placement;
- pinned and accepted placements fixed to one; proposed placements of the previous round
  add the disruption penalty to the objective when dropped;
- breadth (``policy.breadth_bonus`` > 0): per (lender, host) link with live edges a variable
  ``y`` in [0, 1] with ``y <= sum x`` over the link's edges, worth the bonus in the objective
  (at an optimum ``y`` is 1 exactly when a placement uses the link).

Rows that no assignment could break (a package with no more edges than seats, a budget
above everything its group could ever spend) are left out.

The objective
-------------
The secondary term is ``score - penalties`` in score units. A lexicographic objective
(placements first) is solved in one search, exactly, by maximizing
``M * placements + secondary`` where ``M`` exceeds the largest possible difference between
the secondary terms of two assignments: one more placement always outweighs any score. The
weighted objective maximizes ``placement_units * placements + secondary``.
"""
