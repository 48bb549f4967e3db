"""GAP data: the readers of both file formats, the instance names, the best-known table, and
broken files named with the problem and the token."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from solvers.gap.instance import Sense
from solvers.gap.read import (
    SETS,
    BestKnown,
    all_instance_names,
    instance_names,
    load_instance,
    read_best_known,
    read_orlib_file,
    read_yagiura_file,
)

ORLIB_FILES = [f"gap{k}.txt" for k in range(1, 13)] + [f"gap{t}.txt" for t in "abcd"]


@pytest.fixture(scope="module")
def best_known(data_dir: Path) -> dict[tuple[str, Sense], BestKnown]:
    return read_best_known(data_dir)


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
