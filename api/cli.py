"""The ``cosource`` command line.

``cosource generate``  write a seeded synthetic round (JSON file or CSV folder)
``cosource check``     validate a round and show what is eligible and what each rule excluded
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from matcher.compile import CompiledRound, compile_round
from matcher.eligibility import REASONS
from matcher.errors import RoundError
from matcher.models import Round
from matcher.roundio import load_round, save_round

Command = Callable[[argparse.Namespace], int]


def _cmd_generate(args: argparse.Namespace) -> int:
    from matcher.generator import generate_round

    started = time.perf_counter()
    round_ = generate_round(args.size, args.packages, seed=args.seed)
    save_round(round_, args.out)
    print(
        f"wrote {args.out}: {len(round_.organizations)} organizations, "
        f"{len(round_.talents)} talents, {len(round_.packages)} packages "
        f"(seed {args.seed}, {time.perf_counter() - started:.1f} s)"
    )
    return 0


def check_report(round_: Round, compiled: CompiledRound, seconds: float) -> str:
    """The text ``cosource check`` prints: counts, eligible pairs and exclusions per rule."""
    a = compiled.arrays
    pairs = a.n_talents * a.n_packages
    eligible = compiled.n_edges + int(compiled.pruned_by_talent.sum())
    per_talent = np.bincount(compiled.talent, minlength=a.n_talents)
    per_package = np.bincount(compiled.package, minlength=a.n_packages)
    lines = [
        f"round '{round_.id}' {round_.name}".rstrip(),
        f"  organizations {len(round_.organizations):>9,}",
        f"  talents       {a.n_talents:>9,}",
        f"  packages      {a.n_packages:>9,}   seats {int(a.package_seats.sum()):,}",
        f"  pins {len(round_.pins)}, forbidden {len(round_.forbidden)}, "
        f"previous {len(round_.previous)}",
        "",
        f"eligible pairs  {eligible:,} of {pairs:,} ({eligible / max(pairs, 1):.2%})",
    ]
    if compiled.pruned_by_talent.any():
        lines.append(f"kept as edges   {compiled.n_edges:,} (top {round_.policy.top_k} per talent)")
    lines += [
        f"talents with no eligible package   {int((per_talent == 0).sum()):,}",
        f"packages with no eligible talent   {int((per_package == 0).sum()):,}",
        f"eligible packages per talent       mean {per_talent.mean() if a.n_talents else 0:.1f}",
        "",
        "pairs excluded, by the first rule they fail:",
    ]
    for rule, count in compiled.excluded_by_rule().items():
        state = "" if round_.policy.rule_on(rule) else "  (rule off)"
        lines.append(f"  {rule:<22} {count:>14,}  {REASONS[rule]}{state}")
    lines.append(f"\ncompiled in {seconds:.2f} s")
    return "\n".join(lines)


def _cmd_check(args: argparse.Namespace) -> int:
    round_ = load_round(args.path)
    started = time.perf_counter()
    compiled = compile_round(round_)
    print(check_report(round_, compiled, time.perf_counter() - started))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cosource``."""
    parser = argparse.ArgumentParser(
        prog="cosource",
        description="Match senior talents to tours of duty across organizations.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a seeded synthetic round")
    gen.add_argument("--size", type=int, required=True, help="number of talents")
    gen.add_argument("--packages", type=int, default=None, help="number of packages")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--out", type=Path, required=True, help="a .json file or a folder")
    gen.set_defaults(run=_cmd_generate)

    check = sub.add_parser("check", help="validate a round and count eligible pairs")
    check.add_argument("path", type=Path, help="a round .json file or a CSV folder")
    check.set_defaults(run=_cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except RoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
