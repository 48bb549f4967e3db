"""GAP benchmark: readers, best-known table, published solutions, checker, peers and runner."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from benchmarks import bench_gap
from benchmarks.bench_gap import check_run, main
from benchmarks.gap import (
    KNOWN_WORSE_SOLUTIONS,
    SETS,
    BestKnown,
    GapInstance,
    Sense,
    all_instance_names,
    evaluate_assignment,
    gap_percent,
    instance_names,
    instance_of_solution_file,
    load_instance,
    read_best_known,
    read_orlib_file,
    read_solution,
    read_yagiura_file,
    solution_path,
)
from benchmarks.gap_peers import PeerResult, solve_cpsat, solve_greedy, solve_highs

ORLIB_FILES = [f"gap{k}.txt" for k in range(1, 13)] + [f"gap{t}.txt" for t in "abcd"]


@pytest.fixture(scope="module")
def best_known(data_dir: Path) -> dict[tuple[str, Sense], BestKnown]:
    return read_best_known(data_dir)


def tiny() -> GapInstance:
    """Two agents, three jobs; agent 0 holds 5, agent 1 holds 4."""
    return GapInstance(
        name="tiny",
        m=2,
        n=3,
        cost=np.array([[1, 2, 3], [4, 5, 6]]),
        resource=np.array([[2, 2, 2], [3, 3, 3]]),
        capacity=np.array([5, 4]),
    )


# --- readers -------------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", ORLIB_FILES)
def test_orlib_file_holds_its_problems_with_sizes_from_the_table(
    data_dir: Path, best_known: dict[tuple[str, Sense], BestKnown], file_name: str
) -> None:
    instances = read_orlib_file(data_dir / "raw" / "orlib" / file_name)
    stem = file_name.removesuffix(".txt")
    if stem[3:].isdigit():
        assert [i.name for i in instances] == [f"{stem}-{p}" for p in range(1, 6)]
    else:
        assert [i.name for i in instances] == list(instance_names(stem[3:])[:6])
    for instance in instances:
        for sense in Sense:
            record = best_known[(instance.name, sense)]
            assert (instance.m, instance.n) == (record.m, record.n)
        assert instance.cost.shape == instance.resource.shape == (instance.m, instance.n)


def test_orlib_files_hold_84_problems(data_dir: Path) -> None:
    counts = [len(read_orlib_file(data_dir / "raw" / "orlib" / name)) for name in ORLIB_FILES]
    assert counts == [5] * 12 + [6] * 4


def test_every_yagiura_file_is_one_instance_sized_as_named(data_dir: Path) -> None:
    files = sorted((data_dir / "raw" / "yagiura").iterdir())
    typed = [name for set_name in "abcd" for name in instance_names(set_name)]
    assert sorted(path.name for path in files) == sorted(typed)
    for path in files:
        (instance,) = read_yagiura_file(path)
        match = re.fullmatch(r"[abcd](\d\d)(\d+)", path.name)
        assert match is not None
        assert (instance.m, instance.n) == (int(match[1]), int(match[2]))


def test_every_instance_loads_and_has_both_senses_in_the_table(
    data_dir: Path, best_known: dict[tuple[str, Sense], BestKnown]
) -> None:
    names = all_instance_names()
    assert len(names) == 12 * 5 + 2 * 6 + 2 * 15
    assert {name for name, _ in best_known} == set(names)
    assert len(best_known) == 2 * len(names)
    for name in names:
        instance = load_instance(name, data_dir)
        assert instance.name == name
        assert (instance.m, instance.n) == (
            best_known[(name, Sense.MIN)].m,
            best_known[(name, Sense.MIN)].n,
        )


@pytest.mark.parametrize("kind", "abcd")
def test_chu_beasley_copies_in_orlib_and_yagiura_files_agree(data_dir: Path, kind: str) -> None:
    for copy in read_orlib_file(data_dir / "raw" / "orlib" / f"gap{kind}.txt"):
        canonical = load_instance(copy.name, data_dir)
        assert np.array_equal(copy.cost, canonical.cost)
        assert np.array_equal(copy.resource, canonical.resource)
        assert np.array_equal(copy.capacity, canonical.capacity)


def test_value_tables_shipped_with_orlib_agree_with_best_known(
    best_known: dict[tuple[str, Sense], BestKnown], data_dir: Path
) -> None:
    tables = data_dir / "raw" / "orlib_opt_tables"
    rows = [line.split() for line in (tables / "opt_gap_1_12.txt").read_text().splitlines()]
    # one row per file, in the files' lexicographic order: gap1, gap10, gap11, gap12, gap2, ...
    files = sorted(f"gap{k}" for k in range(1, 13))
    for file_name, row in zip(files, rows, strict=True):
        values = [best_known[(f"{file_name}-{p}", Sense.MAX)].best_known for p in range(1, 6)]
        assert [int(v) for v in row] == values
    rows = [line.split() for line in (tables / "opt_gap_abcd.txt").read_text().splitlines()]
    for kind, row in zip("abcd", rows, strict=True):
        values = [best_known[(name, Sense.MIN)].best_known for name in instance_names(kind)[:6]]
        # d20200: the table's 12241 predates the 12238 solution the README documents
        expected = [12241 if v == 12238 else v for v in values]
        assert [int(v) for v in row] == expected


def test_best_known_gap1_1_in_both_senses(best_known: dict[tuple[str, Sense], BestKnown]) -> None:
    assert best_known[("gap1-1", Sense.MIN)].best_known == 261
    assert best_known[("gap1-1", Sense.MAX)].best_known == 336
    assert best_known[("gap1-1", Sense.MIN)].proven_optimal
    assert not best_known[("d20200", Sense.MIN)].proven_optimal


def test_instance_names_per_set() -> None:
    assert [len(instance_names(s)) for s in SETS] == [5] * 12 + [6, 6, 15, 15]
    assert instance_names("d")[-1] == "d801600"
    with pytest.raises(ValueError, match="set 'e' not understood"):
        instance_names("e")


def test_load_instance_rejects_unknown_names() -> None:
    for name in ("gap13-1", "gap1-6", "e05100", "c05300"):
        with pytest.raises(ValueError, match="not understood"):
            load_instance(name)


# --- broken files --------------------------------------------------------------------------


def write(path: Path, tokens: list[int]) -> Path:
    # line breaks carry no meaning: scatter them
    path.write_text(
        "\n".join(" ".join(map(str, tokens[k : k + 7])) for k in range(0, len(tokens), 7))
    )
    return path


def block(m: int, n: int) -> list[int]:
    return [m, n, *range(1, m * n + 1), *([1] * (m * n)), *([n] * m)]


def test_orlib_reader_reads_a_flat_token_stream(tmp_path: Path) -> None:
    (first, second) = read_orlib_file(write(tmp_path / "gapx.txt", [2, *block(2, 3), *block(3, 2)]))
    assert (first.name, first.m, first.n) == ("gapx-1", 2, 3)
    assert first.cost.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert (second.name, second.m, second.n) == ("gapx-2", 3, 2)
    assert second.capacity.tolist() == [2, 2, 2]


def test_missing_token_names_the_file_and_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "gapx.txt", [2, *block(2, 3), *block(3, 2)[:-1]])
    with pytest.raises(
        ValueError, match=r"gapx\.txt, problem 2 of 2 \(gapx-2\): expected 15 tokens"
    ):
        read_orlib_file(path)


def test_extra_tokens_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"gapx\.txt: 1 tokens left over after 1 problems"):
        read_orlib_file(write(tmp_path / "gapx.txt", [1, *block(2, 3), 9]))
    with pytest.raises(ValueError, match=r"c05100, problem 1 of 1 \(c05100\): .*left over"):
        read_yagiura_file(write(tmp_path / "c05100", [*block(5, 100), 9]))


def test_non_integer_token_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gapx.txt"
    path.write_text("1 2 3 1 2 x")
    with pytest.raises(ValueError, match=r"gapx\.txt: token 5 \('x'\) is not an integer"):
        read_orlib_file(path)


def test_size_must_match_the_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="but the name c05100 says 5 100"):
        read_yagiura_file(write(tmp_path / "c05100", block(5, 99)))


def test_instance_validates_itself() -> None:
    with pytest.raises(ValueError, match="cost has shape"):
        GapInstance("bad", 2, 3, np.zeros((3, 2), int), np.zeros((2, 3), int), np.zeros(2, int))
    with pytest.raises(ValueError, match="negative capacity"):
        GapInstance("bad", 1, 1, np.zeros((1, 1), int), np.zeros((1, 1), int), np.array([-1]))
    instance = tiny()
    with pytest.raises(ValueError, match="read-only"):
        instance.cost[0, 0] = 9


def test_solution_of_wrong_length_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "tiny_solution.txt"
    path.write_text("0 1")
    with pytest.raises(ValueError, match="2 agents, tiny has n = 3"):
        read_solution(path, tiny())


# --- the checker ---------------------------------------------------------------------------


def test_checker_on_a_hand_computed_assignment() -> None:
    cost, feasible, overload = evaluate_assignment(tiny(), [0, 0, 1])
    assert (cost, feasible, overload.tolist()) == (1 + 2 + 6, True, [0, 0])
    cost, feasible, overload = evaluate_assignment(tiny(), [0, 0, 0])
    assert (cost, feasible, overload.tolist()) == (6, False, [1, 0])
    cost, feasible, overload = evaluate_assignment(tiny(), [1, 1, 0])
    assert (cost, feasible, overload.tolist()) == (12, False, [0, 2])


def test_checker_rejects_malformed_assignments() -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        evaluate_assignment(tiny(), [0, 2, 1])
    with pytest.raises(ValueError, match="shape"):
        evaluate_assignment(tiny(), [0, 1])


def test_gap_percent_in_both_senses() -> None:
    assert gap_percent(110, 100, Sense.MIN) == pytest.approx(10.0)
    assert gap_percent(90, 100, Sense.MAX) == pytest.approx(10.0)
    assert gap_percent(95, 100, Sense.MIN) == pytest.approx(-5.0)


# --- published solutions -------------------------------------------------------------------


@pytest.mark.parametrize("name", all_instance_names())
def test_published_solution_is_feasible_and_scores_best_known(
    data_dir: Path, best_known: dict[tuple[str, Sense], BestKnown], name: str
) -> None:
    instance = load_instance(name, data_dir)
    path = solution_path(name, data_dir)
    assert instance_of_solution_file(path) == name
    evaluation = evaluate_assignment(instance, read_solution(path, instance))
    assert evaluation.feasible
    best = best_known[(name, Sense.MIN)].best_known
    if name in KNOWN_WORSE_SOLUTIONS:
        assert evaluation.cost > best
    else:
        assert evaluation.cost == best


def test_every_solution_file_belongs_to_an_instance(data_dir: Path) -> None:
    files = sorted((data_dir / "solutions").glob("*/*"))
    assert len(files) == len(all_instance_names())
    assert {instance_of_solution_file(path) for path in files} == set(all_instance_names())


def test_check_solutions_mode_reports_the_nine_documented_files(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check-solutions", "--data", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert out.count("documented:") == 9
    assert "102 solution files: 93 at best-known, 9 documented as worse, 0 failures" in out


# --- peers ---------------------------------------------------------------------------------


def test_every_peer_reports_an_infeasible_instance() -> None:
    # three jobs of size 3 cannot share two agents of capacity 4
    instance = GapInstance(
        "crowded", 2, 3, np.ones((2, 3), int), np.full((2, 3), 3), np.array([4, 4])
    )
    for solve in (solve_cpsat, solve_highs, solve_greedy):
        result = solve(instance, Sense.MIN, 2.0, 1)
        assert result.objective is None and result.agents is None
        assert result.note
    assert solve_cpsat(instance, Sense.MIN, 2.0, 1).note == "proven infeasible"
    assert solve_highs(instance, Sense.MIN, 2.0, 1).note == "proven infeasible"


@pytest.mark.parametrize("name", ["gap1-1", "gap12-5", "c05100", "d05100"])
@pytest.mark.parametrize("sense", list(Sense))
def test_greedy_is_feasible_or_reports_infeasible(data_dir: Path, name: str, sense: Sense) -> None:
    instance = load_instance(name, data_dir)
    result = solve_greedy(instance, sense, 1.0, 1)
    if result.agents is None:
        assert result.objective is None and result.note
    else:
        cost, feasible, _ = evaluate_assignment(instance, result.agents)
        assert feasible and cost == result.objective


def test_peers_agree_on_tiny() -> None:
    # agent 0 has room for two jobs, agent 1 for one: every such split costs 9
    for solve in (solve_cpsat, solve_highs):
        result = solve(tiny(), Sense.MIN, 2.0, 1)
        assert (result.objective, result.proven_optimal) == (9, True)
        assert result.bound == pytest.approx(9)


# --- runner --------------------------------------------------------------------------------


def test_runner_flags_assignments_the_checker_rejects(
    data_dir: Path, best_known: dict[tuple[str, Sense], BestKnown]
) -> None:
    instance = load_instance("gap1-1", data_dir)
    best = best_known[("gap1-1", Sense.MIN)]
    good = read_solution(solution_path("gap1-1", data_dir), instance)
    run = check_run(instance, Sense.MIN, best, PeerResult("x", 261, 261.0, True, 0.1, good), 1)
    assert (run.check, run.objective, run.gap_pct, run.failed) == ("ok", 261, 0.0, False)

    lying = PeerResult("x", 250, None, False, 0.1, good)
    assert check_run(instance, Sense.MIN, best, lying, 1).check.startswith("INVALID objective")

    crowded = np.zeros(instance.n, dtype=np.int64)
    overloaded = PeerResult("x", int(instance.cost[0].sum()), None, False, 0.1, crowded)
    run = check_run(instance, Sense.MIN, best, overloaded, 1)
    assert run.failed and run.objective is None and run.gap_pct == float("inf")

    worse = good.copy()
    worse[0] = (worse[0] + 1) % instance.m
    cost, feasible, _ = evaluate_assignment(instance, worse)
    if feasible and cost > 261:
        claim = PeerResult("x", cost, float(cost), True, 0.1, worse)
        assert check_run(instance, Sense.MIN, best, claim, 1).check.startswith("CONFLICT")


def test_runner_skips_an_unfinished_solver(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unfinished(instance: GapInstance, sense: Sense, time_limit: float, seed: int) -> PeerResult:
        raise NotImplementedError("not yet")

    monkeypatch.setattr(bench_gap, "SOLVERS", {"ours": unfinished, "greedy": solve_greedy})
    argv = ["--instances", "gap1-1", "--solvers", "ours,greedy", "--data", str(data_dir)]
    assert main([*argv, "--time-limit", "1", "--commit", "test"]) == 0
    out = capsys.readouterr().out
    assert out.count("note: skipping ours: not yet") == 1
    assert "no ratios: ours did not run" in out


def test_smoke_run_on_gap1_1(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        *("--instances", "gap1-1", "--sense", "min,max", "--seeds", "1"),
        *("--solvers", "cpsat,highs,greedy", "--time-limit", "2", "--reference", "cpsat"),
        *("--data", str(data_dir), "--out", str(tmp_path), "--commit", "test"),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "gap1-1 (min, m=5, n=15)  best-known 261 (proven)" in out
    assert "gap1-1 (max, m=5, n=15)  best-known 336 (proven)" in out
    rows = re.findall(r"^  (cpsat|highs|greedy) +(\S+) +(\S+) +(\S+) +(\S+) +(yes|no) ", out, re.M)
    assert [row[0] for row in rows] == ["cpsat", "highs", "greedy"] * 2
    assert rows[0][1:] == ("1", "261", "0.00", "261.0", "yes")
    assert rows[3][1:] == ("1", "336", "0.00", "336.0", "yes")
    assert rows[1][2:4] == ("261", "0.00")
    assert rows[4][2:4] == ("336", "0.00")

    with (tmp_path / "runs.csv").open() as handle:
        runs = list(csv.DictReader(handle))
    assert len(runs) == 6
    cpsat = {row["sense"]: row for row in runs if row["solver"] == "cpsat"}
    assert (cpsat["min"]["objective"], cpsat["min"]["proven_optimal"]) == ("261", "True")
    assert (cpsat["max"]["objective"], cpsat["max"]["proven_optimal"]) == ("336", "True")
    greedy = [row for row in runs if row["solver"] == "greedy"]
    assert all(row["check"] in ("ok", "no solution") for row in greedy)

    document = json.loads((tmp_path / "results.json").read_text())
    assert document["commit"] == "test"
    assert document["time_limit"] == 2.0 and document["seeds"] == [1]
    assert document["machine"]["nproc"] >= 1
    assert document["summary"]["cpsat"]["instances_at_best_known"] == 2
    assert set(document["ratios"]) == {"highs", "greedy"}
