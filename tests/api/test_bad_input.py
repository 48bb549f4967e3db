"""Bad input on the command line: every bad option, unreadable file and extreme value in a
round ends in one line, ``error: ...``, naming the option or the field, and exit status 2,
never a traceback, and nothing is written to ``--out``."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from api.cli import EXIT_STATUS, MAX_GENERATED, MAX_SEED, MAX_WORKERS, main
from matcher.models import (
    MAX_BUDGET,
    MAX_COUNT,
    MAX_PAY,
    MAX_PENALTY,
    MAX_WEIGHT,
    SCORE_NAMES,
    Policy,
    PreviousPlacement,
    Round,
)
from matcher.roundio import load_round, save_round
from solvers.registry import BUDGET_VARIANT, METHODS
from tests.factories import PILOT

Args = Callable[[str, str], list[str]]
"""The arguments of a command, given the round's path and the ``--out`` path."""

ROUND_COMMANDS: dict[str, Args] = {
    "check": lambda path, out: ["check", path],
    "solve": lambda path, out: ["solve", path, "--out", out, "--quiet", "--time-limit", "5"],
    "why-not": lambda path, out: [
        "why-not",
        path,
        "--talent",
        "ann",
        "--package",
        "coop-finance",
        "--quiet",
        "--time-limit",
        "5",
    ],
    "shortlist-package": lambda path, out: ["shortlist", path, "--package", "coop-finance"],
    "shortlist-talent": lambda path, out: ["shortlist", path, "--talent", "ann"],
}
"""Every command that reads a round."""


def refused(capsys: pytest.CaptureFixture[str], args: list[str], *expected: str) -> str:
    """Run ``cosource args``; assert exit status 2 and one line ``error: ...`` on stderr
    holding every ``expected`` text; return that line."""
    try:
        code = main(args)
    except SystemExit as exit_:  # the parser refuses an option
        code = exit_.code  # type: ignore[assignment]
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for text in expected:
        assert text in lines[0]
    return lines[0]


def pilot_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "round"
    shutil.copytree(PILOT, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def set_policy(folder: Path, **fields: object) -> None:
    policy = folder / "policy.json"
    policy.write_text(json.dumps(json.loads(policy.read_text()) | fields))


# --- extreme values in a round, through every command ------------------------------------

Breaker = Callable[[Path], None]


def _pin_and_accept(folder: Path, talent: str, pinned: str, accepted: str, tours: int = 1) -> None:
    set_policy(folder, max_tours_per_talent=tours)
    (folder / "pins.csv").write_text(f"talent,package\n{talent},{pinned}\n")
    (folder / "previous.csv").write_text(f"talent,package,status\n{talent},{accepted},accepted\n")


EXTREME: list[tuple[str, Breaker, tuple[str, ...]]] = [
    (
        "top-up budget",
        lambda f: edit(f / "organizations.csv", "insurer,4000,", "insurer,1e18,"),
        (
            "organizations.csv line 2 (id 'bank'), column 'topup_budget'",
            "top-up budget 1e+18 is above the largest budget handled, 1,000,000,000 per month",
        ),
    ),
    (
        "hiring budget",
        lambda f: edit(f / "organizations.csv", "bank,1500,9000", "bank,1500,5000000000"),
        ("column 'hiring_budget'", "1,000,000,000 per month"),
    ),
    (
        "salary",
        lambda f: edit(f / "talents.csv", "integrity,8200,", "integrity,1e12,"),
        ("talents.csv line 2 (id 'ann'), column 'salary'", "10,000,000 per month"),
    ),
    (
        "infinite salary",
        lambda f: edit(f / "talents.csv", "integrity,8200,", "integrity,inf,"),
        ("column 'salary'", "finite number"),
    ),
    (
        "fee cap",
        lambda f: edit(f / "packages.csv", "2028-02-29,4500,", "2028-02-29,99999999999,"),
        ("packages.csv line 2 (id 'coop-finance'), column 'fee_cap'", "10,000,000 per month"),
    ),
    (
        "desired skill weight",
        lambda f: edit(f / "packages.csv", "sql:1;python:1", "sql:1e308;python:1"),
        (
            "column 'desired'",
            "desired skill weight 1e+308 for 'sql' is above the largest weight handled",
        ),
    ),
    (
        "learning goal weight",
        lambda f: edit(f / "talents.csv", "energy-transition:1;", "energy-transition:1e7;"),
        ("column 'learning_goals'", "1,000,000"),
    ),
    (
        "policy score weight",
        lambda f: set_policy(f, weights={"strengths": 1e308}),
        ("policy, field 'weights'", "weight of 'strengths' 1e+308"),
    ),
    (
        "fairness penalty",
        lambda f: set_policy(f, fairness_penalty=1e300, min_per_lender=1),
        ("policy, field 'fairness_penalty'", "100 score points"),
    ),
    (
        "disruption penalty",
        lambda f: set_policy(f, disruption_penalty=1e6),
        ("policy, field 'disruption_penalty'", "100 score points"),
    ),
    (
        "placement weight",
        lambda f: set_policy(f, placement_weight=1e9, objective="weighted"),
        ("policy, field 'placement_weight'", "100 score points"),
    ),
    (
        "subsidy pool",
        lambda f: set_policy(f, subsidy_share=0.5, subsidy_pool=1e18),
        ("policy, field 'subsidy_pool'", "subsidy pool 1e+18"),
    ),
    (
        "top_k",
        lambda f: set_policy(f, top_k=10**30),
        ("policy, field 'top_k'", "largest count handled, 1,000,000"),
    ),
    (
        "min_per_lender",
        lambda f: set_policy(f, min_per_lender=10**12, fairness="hard"),
        ("policy, field 'min_per_lender'", "largest count handled, 1,000,000"),
    ),
    (
        "tours per talent",
        lambda f: set_policy(f, max_tours_per_talent=10**6),
        ("policy, field 'max_tours_per_talent'", "less than or equal to 20"),
    ),
    (
        "seats",
        lambda f: edit(f / "packages.csv", "sustainability,1,1,", "sustainability,100000,1,"),
        ("(id 'coop-finance'), column 'seats'", "less than or equal to 10000"),
    ),
    (
        "age",
        lambda f: edit(f / "talents.csv", "ann,bank,58,", "ann,bank,1000,"),
        ("(id 'ann'), column 'age'", "less than or equal to 100"),
    ),
    (
        "huge whole number",
        lambda f: edit(f / "talents.csv", "ann,bank,58,", "ann,bank," + "9" * 5000 + ","),
        ("(id 'ann'), column 'age'",),
    ),
    (
        "pins over the seats",
        lambda f: (f / "pins.csv").write_text(
            "talent,package\nann,coop-finance\nbart,coop-finance\n"
        ),
        (
            "package 'coop-finance' (packages[0]), field 'seats': 1 seat, but 2 pinned or "
            "accepted placements (pins[0], pins[1])",
        ),
    ),
    (
        "pins and accepted placements over the tours",
        lambda f: _pin_and_accept(f, "ann", "coop-finance", "city-data"),
        (
            "talent 'ann' (talents[0]): 2 pinned or accepted placements (pins[0], previous[0])",
            "policy field 'max_tours_per_talent' allows 1",
        ),
    ),
    (
        "pinned tours overlapping beyond the FTE",
        lambda f: _pin_and_accept(f, "ann", "coop-finance", "city-procurement", tours=2),
        (
            "talent 'ann' (talents[0]), field 'fte': pinned or accepted placements (pins[0], "
            "previous[0]) overlap with 2 FTE, above the talent's 1",
        ),
    ),
]


@pytest.mark.parametrize("command", list(ROUND_COMMANDS))
@pytest.mark.parametrize(
    ("breaker", "expected"),
    [pytest.param(breaker, expected, id=name) for name, breaker, expected in EXTREME],
)
def test_extreme_value_in_a_round_is_refused_by_every_command(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    breaker: Breaker,
    expected: tuple[str, ...],
) -> None:
    folder = pilot_copy(tmp_path)
    breaker(folder)
    out = tmp_path / "out"
    refused(capsys, ROUND_COMMANDS[command](str(folder), str(out)), *expected)
    assert not out.exists()


@pytest.mark.parametrize("command", list(ROUND_COMMANDS))
def test_infinity_in_a_json_round_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = tmp_path / "round.json"
    main(["generate", "--size", "20", "--seed", "1", "--out", str(path)])
    text = path.read_text()
    path.write_text(text.replace('"salary": ', '"salary": Infinity, "x": ', 1))
    capsys.readouterr()
    out = tmp_path / "out"
    args = ROUND_COMMANDS[command](str(path), str(out))
    line = refused(capsys, args, "(talents[0]), field 'salary'", "finite number")
    assert "field 'x'" in line  # every error of the document on the one line
    assert not out.exists()


# --- files that cannot be read ---------------------------------------------------------


def _not_utf8(tmp_path: Path) -> Path:
    path = tmp_path / "round.json"
    path.write_bytes(b"\xff\xfe\x00binary")
    return path


def _nested(tmp_path: Path) -> Path:
    path = tmp_path / "round.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    return path


def _huge_integer(tmp_path: Path) -> Path:
    path = tmp_path / "round.json"
    path.write_text('{"id": ' + "1" * 5000 + "}")
    return path


def _not_json(tmp_path: Path) -> Path:
    path = tmp_path / "round.json"
    path.write_text("{organizations: []")
    return path


def _folder_without_talents(tmp_path: Path) -> Path:
    folder = pilot_copy(tmp_path)
    (folder / "talents.csv").unlink()
    return folder


def _csv_that_is_a_folder(tmp_path: Path) -> Path:
    folder = pilot_copy(tmp_path)
    (folder / "talents.csv").unlink()
    (folder / "talents.csv").mkdir()
    return folder


def _policy_that_is_a_folder(tmp_path: Path) -> Path:
    folder = pilot_copy(tmp_path)
    (folder / "policy.json").unlink()
    (folder / "policy.json").mkdir()
    return folder


def _csv_not_utf8(tmp_path: Path) -> Path:
    folder = pilot_copy(tmp_path)
    (folder / "packages.csv").write_bytes(b"id,host\n\xff\xfe,x\n")
    return folder


UNREADABLE: list[tuple[str, Callable[[Path], Path], str]] = [
    ("missing", lambda tmp: tmp / "nothing.json", "no such file or folder"),
    ("not UTF-8", _not_utf8, "round.json: not UTF-8 text"),
    ("nested too deeply", _nested, "round.json: not valid JSON: nested too deeply"),
    ("integer of 5000 digits", _huge_integer, "round.json: not valid JSON"),
    ("not JSON", _not_json, "round.json: not valid JSON"),
    ("folder without talents.csv", _folder_without_talents, "missing file talents.csv"),
    ("talents.csv is a folder", _csv_that_is_a_folder, "talents.csv: cannot be read"),
    ("policy.json is a folder", _policy_that_is_a_folder, "policy.json: cannot be read"),
    ("CSV not UTF-8", _csv_not_utf8, "packages.csv: cannot be read as CSV"),
]


@pytest.mark.parametrize("command", list(ROUND_COMMANDS))
@pytest.mark.parametrize(
    ("make", "expected"),
    [pytest.param(make, expected, id=name) for name, make, expected in UNREADABLE],
)
def test_a_round_that_cannot_be_read_is_one_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    make: Callable[[Path], Path],
    expected: str,
) -> None:
    path = make(tmp_path)
    out = tmp_path / "out"
    refused(capsys, ROUND_COMMANDS[command](str(path), str(out)), expected)
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_round_without_read_permission_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = pilot_copy(tmp_path)
    (folder / "talents.csv").chmod(0)
    refused(capsys, ["check", str(folder)], "talents.csv: cannot be read")


# --- bad options -----------------------------------------------------------------------

SOLVE_OPTIONS: list[tuple[str, str, str]] = [
    ("--seed", "-1", f"not a seed in 0-{MAX_SEED:,}"),
    ("--seed", str(MAX_SEED + 1), f"not a seed in 0-{MAX_SEED:,}"),
    ("--seed", "seven", "'seven' is not a whole number"),
    ("--workers", "0", f"not a number of workers in 1-{MAX_WORKERS}"),
    ("--workers", "1000000", f"not a number of workers in 1-{MAX_WORKERS}"),
    ("--time-limit", "0", "not a positive number of seconds"),
    ("--time-limit", "inf", "not a positive number of seconds"),
    ("--time-limit", "nan", "not a positive number of seconds"),
    ("--time-limit", "ten", "'ten' is not a number"),
    ("--gap", "1", "not a share in [0, 1)"),
    ("--gap", "nan", "not a share in [0, 1)"),
    ("--patience", "-2", "not a positive number of seconds"),
    ("--method", "fastest", "invalid choice: 'fastest'"),
]


@pytest.mark.parametrize("command", ["solve", "why-not", "demo"])
@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [pytest.param(o, v, e, id=f"{o}={v}") for o, v, e in SOLVE_OPTIONS],
)
def test_bad_solve_option_is_refused_before_anything_runs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    option: str,
    value: str,
    expected: str,
) -> None:
    out = tmp_path / "out"
    args = {
        "solve": ["solve", str(PILOT), "--out", str(out)],
        "why-not": ["why-not", str(PILOT), "--talent", "ann", "--package", "coop-finance"],
        "demo": ["demo", "--out", str(out)],
    }[command]
    refused(capsys, [*args, option, value], f"argument {option}", expected)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--size", "0"], ("argument --size", f"not a round size in 1-{MAX_GENERATED:,}")),
        (["--size", "10000000"], ("argument --size", f"1-{MAX_GENERATED:,}")),
        (["--size", "many"], ("argument --size", "'many' is not a whole number")),
        (["--size", "10", "--packages", "0"], ("argument --packages", "not a round size")),
        (["--size", "10", "--packages", "10000000"], ("argument --packages", "not a round size")),
        (["--size", "10", "--seed", "-1"], ("argument --seed", "not a seed")),
        (["--size", "10", "--seed", str(2**64)], ("argument --seed", "not a seed")),
        (["--seed", "1"], ("the following arguments are required: --size",)),
    ],
    ids=lambda x: " ".join(x) if isinstance(x, list) else None,
)
def test_bad_generate_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: tuple[str]
) -> None:
    out = tmp_path / "round.json"
    refused(capsys, ["generate", *args, "--out", str(out)], *expected)
    assert not out.exists()


def test_generate_into_an_existing_folder_or_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "taken.json"
    folder.mkdir()
    refused(
        capsys,
        ["generate", "--size", "10", "--out", str(folder)],
        f"--out: {folder} is an existing folder",
    )
    assert list(folder.iterdir()) == []

    file = tmp_path / "taken"
    file.write_text("keep me")
    refused(
        capsys,
        ["generate", "--size", "10", "--out", str(file)],
        f"--out: the round folder {file} is an existing file",
    )
    for target in (file / "round.json", file / "sub" / "folder"):
        refused(
            capsys,
            ["generate", "--size", "10", "--out", str(target)],
            f"--out: cannot create {target}: {file} is a file",
        )
    assert file.read_text() == "keep me"


@pytest.mark.parametrize("command", ["solve", "demo"])
def test_results_folder_that_cannot_be_made_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    file = tmp_path / "taken"
    file.write_text("keep me")
    args = ["solve", str(PILOT)] if command == "solve" else ["demo"]
    for out, expected in (
        (file, f"--out: the results folder {file} is an existing file"),
        (file / "results", f"--out: cannot create {file / 'results'}: {file} is a file"),
    ):
        refused(capsys, [*args, "--out", str(out), "--quiet"], expected)
    assert file.read_text() == "keep me"


def test_results_folder_in_a_read_only_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root writes anywhere: let the folder say it is read-only
        real_access = os.access
        monkeypatch.setattr(
            os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode)
        )
    out = locked / "results"
    refused(
        capsys,
        ["solve", str(PILOT), "--out", str(out)],
        f"--out: cannot create {out}: {locked} is not writable",
    )
    assert not out.exists()


def _placements(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "placements.csv"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name,package\nann,city-procurement\n", "no 'talent' column (found 'name', 'package')"),
        (b"", "cannot be read as CSV: No columns to parse from file"),
        (b"talent\n\xff\xfe\n", "cannot be read as CSV"),
        (b'talent,package\n"ann,city\n', "cannot be read as CSV"),
    ],
    ids=["no talent column", "empty", "not UTF-8", "open quote"],
)
def test_bad_exclude_placed_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    path = _placements(tmp_path, content)
    args = ["shortlist", str(PILOT), "--package", "coop-finance", "--exclude-placed", str(path)]
    refused(capsys, args, f"--exclude-placed {path}: ", expected)


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/nowhere", "no such file /nowhere"), (str(PILOT), "is a folder, not a placements.csv")],
    ids=["missing", "a folder"],
)
def test_exclude_placed_that_is_not_a_file(
    capsys: pytest.CaptureFixture[str], path: str, expected: str
) -> None:
    args = ["shortlist", str(PILOT), "--package", "coop-finance", "--exclude-placed", path]
    refused(capsys, args, "--exclude-placed: ", expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["shortlist", str(PILOT), "--package", "coop-finance", "-k", "0"], "argument -k"),
        (["shortlist", str(PILOT), "--package", "coop-finance", "-k", "ten"], "argument -k"),
        (["shortlist", str(PILOT), "--package", "nowhere"], "unknown package 'nowhere'"),
        (["shortlist", str(PILOT), "--talent", "nobody"], "unknown talent 'nobody'"),
        (["shortlist", str(PILOT)], "one of the arguments --package --talent is required"),
        (
            ["shortlist", str(PILOT), "--package", "coop-finance", "--talent", "ann"],
            "not allowed with argument",
        ),
        (["why-not", str(PILOT), "--talent", "nobody", "--package", "city-data"], "'nobody'"),
        (["why-not", str(PILOT), "--talent", "ann", "--package", "nowhere"], "'nowhere'"),
        (["solve", str(PILOT), "--out", "x", "--frobnicate"], "unrecognized arguments"),
        (["solve", str(PILOT)], "the following arguments are required: --out"),
        (["check"], "the following arguments are required: path"),
        (["unknown-command"], "invalid choice: 'unknown-command'"),
        ([], "the following arguments are required: command"),
    ],
    ids=lambda x: " ".join(x[2:] if len(x) > 2 else x) if isinstance(x, list) else None,
)
def test_other_bad_options(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    refused(capsys, args, expected)


def test_help_lists_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--help"], ["solve", "--help"], ["generate", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        assert exit_.value.code == 0
        assert EXIT_STATUS in capsys.readouterr().out
    assert "0  done" in EXIT_STATUS
    assert "1  no solution" in EXIT_STATUS
    assert "2  bad input" in EXIT_STATUS


# --- a round at every limit still solves -------------------------------------------------


def _round_at_the_limits(tmp_path: Path, objective: str, seat_only: bool) -> Path:
    """The pilot with every amount, weight, penalty and count at its limit (seat-only: no
    budget, pool or fairness rule, so that the min-cost flow applies)."""
    pilot = load_round(PILOT)
    budget = None if seat_only else MAX_BUDGET
    organizations = [
        o.model_copy(
            update={
                "topup_budget": budget if o.lends else None,
                "hiring_budget": budget if o.hosts else None,
            }
        )
        for o in pilot.organizations
    ]
    talents = [
        t.model_copy(
            update={
                "salary": MAX_PAY,
                "learning_goals": dict.fromkeys(t.learning_goals, MAX_WEIGHT),
            }
        )
        for t in pilot.talents
    ]
    packages = [
        p.model_copy(update={"fee_cap": MAX_PAY, "desired": dict.fromkeys(p.desired, MAX_WEIGHT)})
        for p in pilot.packages
    ]
    policy = Policy(
        weights=dict.fromkeys(SCORE_NAMES, MAX_WEIGHT),
        fairness_penalty=MAX_PENALTY,
        disruption_penalty=MAX_PENALTY,
        placement_weight=MAX_PENALTY,
        top_k=MAX_COUNT,
        objective=objective,
        **(
            {}
            if seat_only
            else {
                "min_per_lender": MAX_COUNT,
                "max_host_share": 0.5,
                "subsidy_share": 0.5,
                "subsidy_pool": MAX_BUDGET,
            }
        ),
    )
    previous = [PreviousPlacement(talent="chloe", package="city-data", status="proposed")]
    round_ = Round.model_validate(
        pilot.model_copy(
            update={
                "organizations": organizations,
                "talents": talents,
                "packages": packages,
                "policy": policy,
                "previous": previous,
            }
        ).model_dump()
    )
    path = tmp_path / "limits.json"
    save_round(round_, path)
    return path


@pytest.mark.parametrize("seat_only", [False, True], ids=["budgets", "seat-only"])
@pytest.mark.parametrize("objective", ["lexicographic", "weighted"])
def test_a_round_at_every_limit_solves_with_every_method(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], objective: str, seat_only: bool
) -> None:
    path = _round_at_the_limits(tmp_path, objective, seat_only)
    assert main(["check", str(path)]) == 0
    methods = [m for m in METHODS if not m.endswith(BUDGET_VARIANT)]
    for method in methods if seat_only else [m for m in methods if m != "flow"]:
        out = tmp_path / method
        args = ["solve", str(path), "--out", str(out), "--method", method, "--quiet"]
        assert main([*args, "--time-limit", "5", "--workers", "1"]) == 0, method
        assert json.loads((out / "kpis.json").read_text())["feasible"] is True, method
    capsys.readouterr()
