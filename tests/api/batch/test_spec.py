"""The scenario file: the file refused as a whole, or one scenario refused with its name and
field while the others stand; inheritance from a base and the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.batch.spec import BatchFileError, InvalidScenario, Scenario, read_batch
from tests.api.batch.helpers import SMALL, write_file


def _scenarios(tmp_path: Path, *entries: dict[str, object], **top: object) -> list[object]:
    path = write_file(tmp_path, {"scenarios": list(entries), **top})
    return list(read_batch(path).scenarios)


def _only_error(tmp_path: Path, entry: dict[str, object]) -> str:
    good = {"name": "good", "generate": SMALL}
    scenarios = _scenarios(tmp_path, good, entry)
    assert isinstance(scenarios[0], Scenario)
    assert isinstance(scenarios[1], InvalidScenario)
    return scenarios[1].message


@pytest.mark.parametrize(
    ("top", "message"),
    [
        ({"scenarios": [{"name": "a"}], "extra": 1}, "field 'extra': unknown key"),
        ({"scenarios": []}, "field 'scenarios': List should have at least 1 item"),
        ({"scenarios": [{"name": "a"}], "defaults": {"colour": 1}}, "'defaults.colour'"),
        ({"defaults": {"time_limit": 1}}, "field 'scenarios': missing"),
    ],
)
def test_a_file_with_an_unknown_key_or_no_scenarios_is_refused(
    tmp_path: Path, top: dict[str, object], message: str
) -> None:
    with pytest.raises(BatchFileError, match=message):
        read_batch(write_file(tmp_path, top))


def test_a_file_that_is_not_a_mapping_or_not_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(BatchFileError, match="expected a mapping with 'scenarios', found a list"):
        read_batch(tmp_path / "list.yaml")
    (tmp_path / "bad.yaml").write_text("scenarios: [unclosed\n")
    with pytest.raises(BatchFileError, match=r"bad\.yaml: cannot be read"):
        read_batch(tmp_path / "bad.yaml")
    with pytest.raises(BatchFileError, match="no such file"):
        read_batch(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "x", "generate": SMALL, "colour": 1}, "scenario 'x', field 'colour': unknown"),
        ({"name": "x"}, "scenario 'x', field 'round': missing"),
        ({"name": "x", "generate": SMALL, "method": "magic"}, "field 'method': unknown method"),
        (
            {"name": "x", "generate": SMALL, "policy": {"min_fit": 2}},
            "scenario 'x', field 'policy.min_fit': Input should be less than or equal to 1",
        ),
        (
            {"name": "x", "generate": SMALL, "policy": {"speed": 2}},
            "scenario 'x', field 'policy': unknown policy field 'speed'",
        ),
        (
            {"name": "x", "generate": {"talents": 0}},
            "scenario 'x', field 'generate.talents'",
        ),
        ({"name": "x", "base": "nobody"}, "scenario 'x', field 'base': no scenario 'nobody'"),
        ({"name": "x", "base": "x"}, "field 'base': a cycle of bases"),
        (
            {"name": "x", "round": "a.json", "generate": SMALL},
            "field 'round': give 'round' or 'generate', not both",
        ),
        ({"name": "good", "generate": SMALL}, "scenario 'good' (scenarios[1]), field 'name'"),
        ({"name": "a b", "generate": SMALL}, "scenario 'a b', field 'name': String should match"),
        (
            {"name": "x", "generate": SMALL, "scale": {"subsidy_pool": -1}},
            "scenario 'x', field 'scale.subsidy_pool'",
        ),
    ],
)
def test_a_bad_scenario_is_named_with_its_field_and_the_others_stand(
    tmp_path: Path, entry: dict[str, object], message: str
) -> None:
    assert message in _only_error(tmp_path, entry)


def test_a_scenario_on_an_invalid_base_is_invalid_too(tmp_path: Path) -> None:
    scenarios = _scenarios(
        tmp_path,
        {"name": "broken", "generate": SMALL, "workers": 0},
        {"name": "child", "base": "broken"},
    )
    assert all(isinstance(s, InvalidScenario) for s in scenarios)
    assert "scenario 'child', field 'base': scenario 'broken' is invalid" in str(scenarios[1])


def test_settings_come_from_the_base_then_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "rounds").mkdir()
    scenarios = _scenarios(
        tmp_path,
        {"name": "a", "round": "rounds/r.json", "policy": {"fairness": "hard"}},
        {"name": "b", "base": "a", "policy": {"min_fit": 0.2}, "scale": {"subsidy_pool": 1.2}},
        {"name": "c", "base": "b", "generate": SMALL, "method": "greedy"},
        defaults={"time_limit": 4, "workers": 2},
    )
    a, b, c = scenarios
    assert isinstance(a, Scenario) and isinstance(b, Scenario) and isinstance(c, Scenario)
    assert a.round == (tmp_path / "rounds" / "r.json").resolve()
    assert (a.time_limit, a.workers, a.method, a.seed) == (4, 2, "auto", 0)
    assert b.round == a.round and b.policy == {"fairness": "hard", "min_fit": 0.2}
    assert b.scale == {"subsidy_pool": 1.2}
    # a generated round replaces the base's file; the rest is inherited
    assert c.round is None and c.generate is not None and c.generate.talents == 200
    assert (c.method, c.time_limit, c.scale) == ("greedy", 4, {"subsidy_pool": 1.2})
    assert len({a.fingerprint(), b.fingerprint(), c.fingerprint()}) == 3


def test_yaml_and_json_files_read_alike(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "name: study\nscenarios:\n  - name: a\n    generate: {talents: 200, packages: 60}\n"
    )
    yaml_batch = read_batch(tmp_path / "s.yaml")
    json_batch = read_batch(
        write_file(tmp_path, {"name": "study", "scenarios": [{"name": "a", "generate": SMALL}]})
    )
    assert yaml_batch.name == json_batch.name == "study"
    assert yaml_batch.scenarios == json_batch.scenarios


def test_the_example_file_reads_whole() -> None:
    example = Path(__file__).parents[3] / "examples" / "batch" / "scenarios.yaml"
    batch = read_batch(example)
    assert batch.invalid() == [] and len(batch.valid()) == 6
    by_name = {s.name: s for s in batch.valid()}
    assert by_name["pilot-subsidy+20"].policy == {"subsidy_share": 0.5, "subsidy_pool": 3000}
    assert by_name["pilot-subsidy+20"].scale == {"subsidy_pool": 1.2}
    assert by_name["national-greedy"].generate == by_name["national-sample"].generate
