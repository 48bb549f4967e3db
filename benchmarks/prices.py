"""Price-of-rule suite: the price of every rule of the default policy on generated rounds,
with the time it takes.

For each size of ``--sizes`` (default 2,000 and 20,000 talents, a quarter as many packages,
seed 11) the round is generated (:func:`matcher.generator.generate_round`), compiled and
solved by ``auto`` for ``--solve-seconds``; then :func:`solvers.prices.rule_prices` prices
every active rule: the linear relaxation once and again without each rule, warm-started
(``--lp-seconds`` in all), and re-solves without the ``--confirm`` dearest rules and a
control with every rule (``--resolve-seconds`` each).

The peer: for the first ``--cold`` rules with a row dual, the relaxation without the rule
is solved again from scratch (column generation from nothing, as without warm starts); its
time is compared with the warm one's and its optimum must equal the warm one (the check).

Usage::

    python -m benchmarks.prices --out results/prices

Prints each round's timings and its table of prices, dearest first; writes ``runs.csv``
(one row per priced rule) and ``results.json`` (with the commit and the machine) into
``--out``. The exit status is 1 when a check fails: the relaxation not solved, or a cold
optimum that differs from the warm one.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from benchmarks.runinfo import run_main
from benchmarks.synthetic import finish_runs, run_header
from matcher.compile import compile_round
from matcher.generator import generate_round
from solvers.auto.options import AutoOptions
from solvers.auto.solve import solve_problem
from solvers.model.build import build_spec
from solvers.price_lp import WarmLp
from solvers.price_rules import active_rules
from solvers.prices import PriceOptions, Prices, lp_gain, rule_prices, spec_like
from solvers.problem import Problem, build_problem
from solvers.result import Result, SolveParams

CSV_COLUMNS: Final = (
    "talents",
    "rule",
    "dual",
    "lp_placements",
    "lp_score",
    "lp_share",
    "lp_seconds",
    "lp_complete",
    "placements",
    "score",
    "share",
    "cold_seconds",
    "check",
)
COLD_TOLERANCE: Final = 1e-4
"""Largest difference (placements, or share of the score) between a cold and a warm
optimum of one relaxation: both solve the same program to HiGHS's tolerances."""


@dataclass(frozen=True)
class PriceRun:
    """One priced rule of one round."""

    talents: int
    rule: str
    dual: float | None
    lp_placements: float | None
    lp_score: float | None
    lp_share: float | None
    lp_seconds: float
    lp_complete: bool
    placements: float | None
    score: float | None
    share: float | None
    cold_seconds: float | None
    check: str

    @property
    def failed(self) -> bool:
        return self.check != "ok"


@dataclass(frozen=True)
class SuiteConfig:
    sizes: list[int]
    seed: int
    solve_seconds: list[float]
    lp_seconds: float
    rule_seconds: float
    resolve_seconds: float
    confirm: int
    cold: int
    workers: int


def price_round(config: SuiteConfig, talents: int, solve_seconds: float) -> list[PriceRun]:
    """Generate, solve and price one round; print its timings and table."""
    lap = time.perf_counter()
    round_ = generate_round(talents, seed=config.seed)
    compiled = compile_round(round_)
    problem = build_problem(compiled, round_)
    prepared = time.perf_counter() - lap
    params = SolveParams(time_limit=solve_seconds, workers=config.workers, seed=config.seed)
    result = solve_problem(problem, params, AutoOptions())
    options = PriceOptions(
        lp_seconds=config.lp_seconds,
        rule_seconds=config.rule_seconds,
        resolve_seconds=config.resolve_seconds,
        confirm=config.confirm,
        workers=config.workers,
        seed=config.seed,
    )
    lap = time.perf_counter()
    prices = rule_prices(problem, result, options)
    priced = time.perf_counter() - lap
    _print_round(talents, compiled.n_edges, prepared, result, prices, priced)
    cold = _cold(problem, prices, config.cold, config.lp_seconds)
    runs = []
    for price in prices.rules:
        estimate, confirmed = price.estimate, price.confirmed
        check = "ok" if estimate is not None else "not estimated in time"
        cold_seconds = None
        if price.key in cold:
            cold_seconds, agrees = cold[price.key]
            check = check if agrees else "cold optimum differs from the warm one"
        runs.append(
            PriceRun(
                talents=talents,
                rule=price.rule,
                dual=price.dual,
                lp_placements=None if estimate is None else round(estimate.placements, 3),
                lp_score=None if estimate is None else round(estimate.score, 3),
                lp_share=None if estimate is None else round(estimate.share, 5),
                lp_seconds=price.seconds,
                lp_complete=price.estimate_complete,
                placements=None if confirmed is None else confirmed.placements,
                score=None if confirmed is None else round(confirmed.score, 3),
                share=None if confirmed is None else round(confirmed.share, 5),
                cold_seconds=cold_seconds,
                check=check,
            )
        )
    return runs


def _cold(
    problem: Problem, prices: Prices, count: int, seconds: float
) -> dict[str, tuple[float, bool]]:
    """For the first ``count`` rules with a nonzero dual: the seconds of the relaxation
    without the rule from scratch, and whether its gain equals the warm estimate."""
    spec = build_spec(problem)
    start = WarmLp(problem, spec).solve(time.perf_counter() + seconds)
    if start is None:
        return {}
    rules = {rule.key: rule for rule in active_rules(problem, spec)}
    out: dict[str, tuple[float, bool]] = {}
    for price in prices.rules:
        if len(out) >= count:
            break
        if not price.dual or price.estimate is None or not price.estimate_complete:
            continue
        relaxed = rules[price.key].relaxed()
        lap = time.perf_counter()
        point = WarmLp(relaxed, spec_like(relaxed, spec)).solve(time.perf_counter() + seconds)
        elapsed = round(time.perf_counter() - lap, 3)
        agrees = point is not None and point.complete
        if point is not None:
            gain = lp_gain(point, start)
            agrees &= abs(gain.placements - price.estimate.placements) <= COLD_TOLERANCE
            agrees &= abs(gain.share - price.estimate.share) <= COLD_TOLERANCE
        print(
            f"  cold: {price.rule}: {elapsed:.2f} s (warm {price.seconds:.2f} s), agrees {agrees}"
        )
        out[price.key] = (elapsed, agrees)
    return out


def _print_round(
    talents: int, edges: int, prepared: float, result: Result, prices: Prices, priced: float
) -> None:
    objective = result.objective
    placed = "-" if objective is None else f"{objective.placements:,}"
    print(
        f"\n{talents:,} talents, {edges:,} edges: generated and compiled in {prepared:.1f} s; "
        f"solved {result.status} in {result.wall_time:.1f} s, {placed} placements"
    )
    print(
        f"  priced {len(prices.rules)} rules in {priced:.1f} s: relaxations "
        f"{prices.lp_seconds:.1f} s (with every rule {prices.start_seconds:.1f} s)"
        f"{'' if prices.lp_complete else ' (some cut by the limit)'}, re-solves "
        f"{prices.resolve_seconds:.1f} s"
    )
    for note in prices.notes:
        print(f"  note: {note}")
    print(f"  {'rule':<58} {'LP pl.':>7} {'LP score':>9} {'pl.':>5} {'score':>7} {'s':>6}")
    for price in prices.rules:
        e, c = price.estimate, price.confirmed
        cut = "" if price.estimate_complete else " (cut)"
        lp = f"{e.placements:7.1f} {e.share:9.2%}" if e is not None else f"{'-':>7} {'-':>9}"
        re = f"{c.placements:5.0f} {c.share:7.2%}" if c is not None else f"{'':>5} {'':>7}"
        print(f"  {price.rule[:58]:<58} {lp} {re} {price.seconds:6.2f}{cut}")


def run_suite(config: SuiteConfig) -> list[PriceRun]:
    runs: list[PriceRun] = []
    for talents, seconds in zip(config.sizes, config.solve_seconds, strict=True):
        runs += price_round(config, talents, seconds)
    return runs


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of the price-of-rule suite."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.prices", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--sizes", default="2000,20000", help="talents of each round")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--solve-seconds", default="20,60", help="the solve's time limit, per size")
    parser.add_argument("--lp-seconds", type=float, default=120.0)
    parser.add_argument("--rule-seconds", type=float, default=10.0, help="most for one rule")
    parser.add_argument("--resolve-seconds", type=float, default=10.0)
    parser.add_argument("--confirm", type=int, default=3)
    parser.add_argument("--cold", type=int, default=3, help="rules re-solved from scratch")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="folder for runs.csv")
    return parser.parse_args(argv)


def _config(args: argparse.Namespace) -> SuiteConfig:
    sizes = _ints(args.sizes)
    seconds = _floats(args.solve_seconds)
    if len(seconds) == 1:
        seconds *= len(sizes)
    if len(seconds) != len(sizes):
        raise ValueError("--solve-seconds needs one limit, or one per size")
    return SuiteConfig(
        sizes,
        args.seed,
        seconds,
        args.lp_seconds,
        args.rule_seconds,
        args.resolve_seconds,
        args.confirm,
        args.cold,
        args.workers,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite; returns its exit status."""
    args = parse_args(argv)

    def headline(config: SuiteConfig, commit: str) -> str:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        return (
            f"price of every rule at {commit[:10]}: sizes {config.sizes}, seed {config.seed}, "
            f"load {load:.1f}"
        )

    def run(config: SuiteConfig, commit: str) -> int:
        runs = run_suite(config)
        header = lambda: run_header(commit, seed=config.seed, sizes=config.sizes)  # noqa: E731
        return finish_runs(args.out, CSV_COLUMNS, runs, header)

    return run_main(lambda: _config(args), None, headline, run)


if __name__ == "__main__":
    raise SystemExit(main())
