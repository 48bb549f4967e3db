"""The compact text form of map and list cells."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.compact import format_list, format_map, format_number, parse_list, parse_map


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (4, "4"),
        (-3, "-3"),
        (10**20, "100000000000000000000"),
        (1.0, "1"),
        (-2.0, "-2"),
        (0.1, "0.1"),
        (1e-7, "1e-07"),
        (12345.678, "12345.678"),
        (1 / 3, "0.3333333333333333"),
        (1e15, "1000000000000000.0"),
        (1e300, "1e+300"),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text
    assert float(text) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back_exactly(value: float) -> None:
    assert float(format_number(value)) == value


@given(st.integers())
def test_every_int_reads_back_exactly(value: int) -> None:
    assert int(format_number(value)) == value


def test_booleans_are_not_numbers() -> None:
    with pytest.raises(TypeError, match="booleans are not numbers here"):
        format_number(True)


def test_format_map() -> None:
    assert format_map({"python": 4, "sql": 3}) == "python:4;sql:3"
    assert format_map({"risk": 0.5, "law": 1e-7}) == "risk:0.5;law:1e-07"
    assert format_map({}) == ""


def test_format_list() -> None:
    assert format_list(["nl", "fr", "en"]) == "nl;fr;en"
    assert format_list([]) == ""


def test_parse_list() -> None:
    assert parse_list("nl;fr;en") == ["nl", "fr", "en"]
    assert parse_list(" nl ; fr ") == ["nl", "fr"]
    assert parse_list("") == []
    assert parse_list("   ") == []
    assert parse_list("Zoë;東京") == ["Zoë", "東京"]


def test_parse_map_keeps_values_as_text() -> None:
    assert parse_map("python:4; sql : 3.5") == {"python": "4", "sql": "3.5"}
    assert parse_map("") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nl;;fr", "empty item in list 'nl;;fr'"),
        ("nl;", "empty item in list 'nl;'"),
        (";nl", "empty item in list ';nl'"),
    ],
)
def test_parse_list_rejects_empty_items(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_list(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("python", "item 'python' is not of the form key:value"),
        ("python:4;sql", "item 'sql' is not of the form key:value"),
        (":4", "item ':4' is not of the form key:value"),
        ("python:", "item 'python:' is not of the form key:value"),
        ("python: ", "item 'python:' is not of the form key:value"),
        ("python:4;python:5", "key 'python' appears twice"),
        ("python:4;;sql:3", "empty item in list 'python:4;;sql:3'"),
    ],
)
def test_parse_map_rejects_bad_items(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_map(text)


def test_a_value_with_a_colon_stays_in_the_value() -> None:
    # the model then rejects "4:5" as a level; the map parser splits at the first colon only
    assert parse_map("python:4:5") == {"python": "4:5"}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["nl", "fr;en"], "item 'fr;en' contains ';' or ':', which the compact form cannot hold"),
        (["c:level"], "item 'c:level' contains ';' or ':', which the compact form cannot hold"),
        (["nl", ""], "item '' is empty or has surrounding spaces"),
        ([" nl"], "item ' nl' is empty or has surrounding spaces"),
    ],
)
def test_format_list_refuses_items_that_would_not_read_back(items: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        format_list(items)


@pytest.mark.parametrize("key", ["a;b", "a:b", "", "a "])
def test_format_map_refuses_keys_that_would_not_read_back(key: str) -> None:
    with pytest.raises(ValueError, match="item"):
        format_map({key: 1})


_ITEM = st.text(alphabet=st.characters(exclude_characters=";:", codec="utf-8"), min_size=1).filter(
    lambda s: s == s.strip()
)


@given(st.lists(_ITEM, unique=True))
def test_list_round_trip(items: list[str]) -> None:
    assert parse_list(format_list(items)) == items


@given(
    st.dictionaries(
        _ITEM, st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False))
    )
)
def test_map_round_trip(mapping: dict[str, float]) -> None:
    parsed = parse_map(format_map(mapping))
    assert list(parsed) == list(mapping)
    for key, value in mapping.items():
        back = int(parsed[key]) if isinstance(value, int) else float(parsed[key])
        assert back == value
