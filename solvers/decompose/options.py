"""The options of the ``decompose`` method (:mod:`solvers.decompose.solve`) and the
portfolio's options on each part."""

from __future__ import annotations

from dataclasses import dataclass, field

from solvers.auto.options import AutoOptions, RelaxationOptions

PART_TIME_SHARE = 0.8
"""Share of a wave's seconds a part's time limit takes: the portfolio ends after its limit
(on a part of 900,000 edges of the national round, 27 s for a limit of 20 s on a loaded
machine), and the search across parts needs its share."""
SHIP_SECONDS = 1.0
"""Seconds a part may take to reach its process and to send its answer back: taken off each
part's time limit."""


PART_OPTIONS = AutoOptions(
    relax=RelaxationOptions(lagrangian=False, lp_min_edges=None),
)
"""The portfolio on a part: straight to CP-SAT and the neighbourhood search from the part's
start, without the Lagrangian phase or the linear relaxation, which on parts of 900,000 edges
took most of a part's time and left its bound weak anyway (parts' own gaps 37-50 %): the
round's bound is the priced one."""


@dataclass(frozen=True)
class DecomposeOptions:
    """Options of :func:`solve_decomposed`.

    Attributes
    ----------
    auto_above
        ``auto`` hands rounds of more candidate edges to this method
        (:func:`solvers.registry.solve_auto_or_decomposed`): on the national round
        (4.5 million edges) it placed 18,083 talents at 300 s against the portfolio's 17,318.
    part_edges
        About this many edges a part (the number of parts follows), unless ``n_parts``: eight
        parts on the national round, whose peak memory was 8.2 GB for the process tree
        against 8.4 GB with five parts of 900,000 edges.
    n_parts
        A fixed number of parts.
    processes
        Parts solved at once, each in a process of its own.
    part_workers
        CP-SAT workers of each part's portfolio. Two, so that a part's run is timed by the
        clock: with one it would be bounded by work (:mod:`solvers.work`), which on a loaded
        machine ran far past its seconds.
    passes, min_part_seconds
        Most passes over the parts; fewer when a pass would give a part less than
        ``min_part_seconds``.
    bound_share, border_share
        Shares of the time limit for the priced bound before the parts (it goes on while they
        are solved) and for the search across parts at the end. On the national round the
        search across parts gained 1.39 M in about 60 s, a pass over five parts 0.24 M in
        104 s.
    part
        The portfolio's options for each part (:data:`PART_OPTIONS`).
    """

    auto_above: int = 2_000_000
    part_edges: int = 600_000
    n_parts: int | None = None
    processes: int = 2
    part_workers: int = 2
    passes: int = 2
    min_part_seconds: float = 30.0
    bound_share: float = 0.15
    border_share: float = 0.35
    part: AutoOptions = field(default_factory=lambda: PART_OPTIONS)
