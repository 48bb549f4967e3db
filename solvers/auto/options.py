"""The options of the portfolio (:func:`solvers.auto.solve.solve_auto`) beyond
:class:`~solvers.result.SolveParams`, one group per phase: the relaxations
(:class:`RelaxationOptions`), HiGHS (:class:`HighsOptions`), the CP-SAT runs
(:class:`CpSatOptions`) and the neighbourhood search (:class:`SearchOptions`), gathered in
:class:`AutoOptions`. What was measured for each default is in ``docs/solver-options.md``."""

from __future__ import annotations

from dataclasses import dataclass, field

from solvers.backends.cpsat import known_subsolver
from solvers.lns_options import LnsOptions


@dataclass(frozen=True)
class RelaxationOptions:
    """The relaxations before the search: the seat relaxation's min-cost flow, the
    Lagrangian phase and the linear relaxation.

    Attributes
    ----------
    use_flow
        Hand seat-only rounds to the min-cost flow solver; solve the seat relaxation for a
        bound and a start, and return its optimum when it meets every constraint.
    lagrangian
        Before CP-SAT, price the budgets by Lagrangian relaxation for a bound and a better
        start (rounds with budgets that can bind).
    lagrangian_share
        Share of the time limit the Lagrangian phase may use (twice that on rounds too
        large for a full model).
    lp_min_edges, lp_max_edges, lp_share, lp_support_share
        Weighted rounds of ``lp_min_edges`` to ``lp_max_edges`` edges get the linear relaxation
        (:mod:`solvers.lp_relaxation`, at most ``lp_share`` of the time left) instead of the
        Lagrangian phase: its bound, a greedy pass in the order of its values, and CP-SAT on
        its support for ``lp_support_share`` of the time then left. Its duals price every
        row but the tours, seats included, so the core follows it. Lexicographic rounds keep
        the Lagrangian phase (programs with costs near ``M`` are slow); ``lp_share`` lets the
        relaxation complete, which is when it pays; ``lp_max_edges`` keeps the largest rounds
        on the Lagrangian phase.
    """

    use_flow: bool = True
    lagrangian: bool = True
    lagrangian_share: float = 0.3
    lp_min_edges: int | None = 10_000
    lp_max_edges: int = 1_000_000
    lp_share: float = 0.4
    lp_support_share: float = 0.15


@dataclass(frozen=True)
class HighsOptions:
    """HiGHS's MIP solver: its phase on small models and its companion process beside the
    search on larger ones.

    Attributes
    ----------
    max_vars, share
        Models of at most ``max_vars`` variables are first given to HiGHS's MIP solver
        (:mod:`solvers.backends.highs`) for ``share`` of the time left after the Lagrangian
        phase, when that is at least :data:`~solvers.auto.phases.HIGHS_MIN_SECONDS`; its
        assignment joins the incumbent (CP-SAT starts from the better one) and, for a
        weighted objective only, its dual bound joins the bound. On small rounds HiGHS
        proves optima CP-SAT does not find; a longer phase, or the companion instead, did
        not beat these defaults.
    companion_max_vars, companion_min_seconds
        Models of more than ``max_vars`` and at most ``companion_max_vars`` variables, with
        two workers or more and at least ``companion_min_seconds`` left, get HiGHS's MIP
        solver in a process of its own (:mod:`solvers.backends.highs_companion`), started as
        soon as its model is settled (:class:`~solvers.auto.phases.CompanionSlot`: on GAP
        rounds with the first complete assignment, inside the Lagrangian phase) from no
        solution of ours, and stopped :data:`~solvers.auto.phases.COMPANION_MARGIN` seconds
        before the limit, while CP-SAT and the neighbourhood search run with one worker
        less; the two trade solutions while both run, and its answer joins the incumbent at
        the end, its bound too where it holds (:func:`~solvers.auto.phases.highs_model`).
        HiGHS alone is ahead of the search on some rounds, far behind on others: both at
        once are not.
    """

    max_vars: int = 2_000
    share: float = 0.3
    companion_max_vars: int = 100_000
    companion_min_seconds: float = 20.0


@dataclass(frozen=True)
class CpSatOptions:
    """The CP-SAT runs: on the whole model, a core or the best edges, and on the
    neighbourhoods' sub-problems.

    Attributes
    ----------
    max_model_edges
        Rounds with more edges get a CP-SAT model restricted to each talent's
        ``keep_per_talent`` best-priced edges (and the start's); the bound then comes from
        the relaxations only.
    keep_per_talent
        See ``max_model_edges``.
    python_api
        Build the model through the CP-SAT Python API instead of writing the proto.
    explain
        Name the conflicting constraint groups of infeasible rounds.
    log
        Print CP-SAT's search log.
    subsolver
        CP-SAT's full-problem search, for the main runs and the neighbourhood sub-solves:
        ``"max_lp"`` keeps the linear relaxation with every cut CP-SAT has (linearization
        level 2). None leaves CP-SAT's own choice, which at two workers is ``"default_lp"``
        (level 1, whose bound stays near the trivial one on budget rows). CP-SAT's
        first-solution and neighbourhood helpers run beside it either way. ``"max_lp"``
        because its solutions, bounds and proofs were better on budget rounds and GAP.
    """

    max_model_edges: int = 150_000
    keep_per_talent: int = 4
    python_api: bool = False
    explain: bool = True
    log: bool = False
    subsolver: str | None = "max_lp"

    def __post_init__(self) -> None:
        if self.subsolver is not None and not known_subsolver(self.subsolver):
            raise ValueError(f"subsolver {self.subsolver!r} is not a CP-SAT subsolver name.")


@dataclass(frozen=True)
class SearchOptions:
    """The large-neighbourhood search after the first CP-SAT search, and the core it works
    on.

    Attributes
    ----------
    enabled
        After the first CP-SAT search, improve the best assignment by large-neighbourhood
        search (:mod:`solvers.lns`) until the time limit.
    share
        Share of the time left after the relaxations that goes to the neighbourhood search
        (the rest goes to the first CP-SAT search, whose bound counts on full models).
    min_edges
        Problems with fewer edges get no neighbourhood search unless their core is searched:
        below it CP-SAT on the whole model does better.
    lns
        See :class:`solvers.lns.LnsOptions`; its ``workers`` is replaced by the solve's.
    core_per_talent
        After the Lagrangian phase, CP-SAT and the neighbourhood search work on the core
        (:mod:`solvers.core`): about this many edges a talent, those of least reduced cost,
        or every edge that reduced-cost fixing keeps when that is not many more. 4 is the
        least at which the cores measured held every edge of the optima.
    core_min_edges
        Problems with fewer edges are searched whole: mid-sized GAP rounds gain from a core,
        the smallest ones stay whole.
    large_core_per_talent
        On rounds above :attr:`CpSatOptions.max_model_edges` with the linear relaxation, the
        neighbourhood search works on a core of about this many edges a talent, those of
        least reduced cost: any such core did far better than every edge, its size barely
        mattered.
    endgame_patience, endgame_growth
        When the searched core is not exact and the edges that reduced-cost fixing keeps are
        at most ``endgame_growth`` times as many, the neighbourhood search stops once it has
        gone ``endgame_patience`` of its time without improving, and CP-SAT takes the rest
        on every edge that fixing keeps, so that its bound and proof hold.
    """

    enabled: bool = True
    share: float = 0.75
    min_edges: int = 50_000
    lns: LnsOptions = field(default_factory=LnsOptions)
    core_per_talent: float = 4.0
    core_min_edges: int = 1_000
    large_core_per_talent: float = 1.5
    endgame_patience: float = 0.25
    endgame_growth: float = 3.0


@dataclass(frozen=True)
class AutoOptions:
    """Options of :func:`~solvers.auto.solve.solve_auto` beyond :class:`SolveParams`, one
    group per phase; what was measured for each default is in ``docs/solver-options.md``.

    Attributes
    ----------
    relax
        The seat relaxation, the Lagrangian phase and the linear relaxation
        (:class:`RelaxationOptions`).
    highs
        HiGHS's phase on small models and its companion process (:class:`HighsOptions`).
    cpsat
        The CP-SAT runs (:class:`CpSatOptions`).
    search
        The neighbourhood search and its core (:class:`SearchOptions`).
    method
        The name its results and progress reports carry: ``"auto"``, or ``"cpsat"`` for the
        CP-SAT model alone (:data:`solvers.registry.METHODS`).
    """

    relax: RelaxationOptions = field(default_factory=RelaxationOptions)
    highs: HighsOptions = field(default_factory=HighsOptions)
    cpsat: CpSatOptions = field(default_factory=CpSatOptions)
    search: SearchOptions = field(default_factory=SearchOptions)
    method: str = "auto"
