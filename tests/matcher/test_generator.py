"""Tests of the synthetic round generator and its vocabularies."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import numpy as np
import pytest

from matcher import vocabulary as voc
from matcher.compile import CompiledRound, compile_round
from matcher.generator import (
    BASE_DATE,
    MEDIUM,
    PRESETS,
    generate_preset,
    generate_round,
)
from matcher.models import RULE_NAMES, Policy, RemoteMode, Role, Round, Structure

SKILL_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def small() -> Round:
    return generate_round(400, 100, seed=7)


@pytest.fixture(scope="module", params=[0, 1])
def medium(request: pytest.FixtureRequest) -> tuple[Round, CompiledRound]:
    round_ = generate_round(MEDIUM.talents, MEDIUM.packages, seed=request.param)
    return round_, compile_round(round_)


# --- vocabularies -------------------------------------------------------------------------


def test_skill_vocabulary_is_large_unique_and_well_formed() -> None:
    assert len(voc.SKILLS) >= 150
    assert len(set(voc.SKILLS)) == len(voc.SKILLS)
    assert 12 <= len(voc.SKILL_FAMILIES) <= 16
    assert all(SKILL_NAME.match(s) for s in voc.SKILLS)
    assert all(len(members) >= 11 for members in voc.SKILL_FAMILIES.values())


def test_sector_tables_cover_every_sector_and_known_families() -> None:
    families = set(voc.SKILL_FAMILIES)
    for table in (
        voc.SECTOR_AFFINITY,
        voc.SECTOR_FLAT_SHARE,
        voc.SECTOR_ROLE_SHARES,
        voc.SECTOR_RIVALRY,
        voc.SECTOR_VALUES,
        voc.SECTOR_NAME_NOUNS,
    ):
        assert set(table) == set(voc.SECTORS)
    for affinity in voc.SECTOR_AFFINITY.values():
        assert set(affinity) <= families
        assert all(w > 0 for w in affinity.values())
    for values in voc.SECTOR_VALUES.values():
        assert set(values) <= set(voc.VALUES)
    assert set(voc.CAREER_FAMILIES) <= families
    assert set(voc.LEARNING_INTEREST) == families
    assert set(voc.FAMILY_MISSIONS) == families
    assert all(sum(shares) == pytest.approx(1.0) for shares in voc.SECTOR_ROLE_SHARES.values())


def test_regions_speak_known_languages() -> None:
    assert set(voc.LANGUAGES) == {"nl", "fr", "en", "de"}
    for table in (voc.REGION_POPULATION, voc.REGION_HEADQUARTERS, voc.REGION_CITIES):
        assert set(table) == set(voc.REGIONS)
    assert all(set(langs) <= set(voc.LANGUAGES) for langs in voc.REGION_LANGUAGES.values())
    assert set(voc.REGION_LANGUAGES["brussels"]) == {"fr", "nl"}
    assert voc.REGION_LANGUAGES["antwerp"] == ("nl",)
    assert voc.REGION_LANGUAGES["namur"] == ("fr",)
    assert "de" in voc.REGION_LANGUAGES["east-cantons"]


# --- determinism and sizes ----------------------------------------------------------------


def test_same_seed_gives_an_equal_round() -> None:
    assert (
        generate_round(200, 50, seed=11).model_dump()
        == generate_round(200, 50, seed=11).model_dump()
    )


def test_different_seeds_give_different_rounds() -> None:
    a = generate_round(200, 50, seed=11).model_dump()
    b = generate_round(200, 50, seed=12).model_dump()
    assert a["talents"] != b["talents"]
    assert a["packages"] != b["packages"]


@pytest.mark.parametrize(
    ("n_talents", "n_packages", "expected_packages", "expected_orgs"),
    [(1, None, 5, 6), (40, None, 10, 6), (400, 100, 100, 10), (1000, None, 250, 25)],
)
def test_sizes(
    n_talents: int, n_packages: int | None, expected_packages: int, expected_orgs: int
) -> None:
    round_ = generate_round(n_talents, n_packages, seed=0)
    assert len(round_.talents) == n_talents
    assert len(round_.packages) == expected_packages
    assert len(round_.organizations) == expected_orgs


@pytest.mark.parametrize(("n_talents", "n_packages"), [(0, 5), (5, 0), (-1, None)])
def test_sizes_below_one_are_rejected(n_talents: int, n_packages: int | None) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_round(n_talents, n_packages)


def test_presets() -> None:
    assert PRESETS["demo"] == (500, 150)
    round_ = generate_preset("tiny", seed=2)
    assert (len(round_.talents), len(round_.packages)) == PRESETS["tiny"]
    with pytest.raises(KeyError, match="unknown size preset"):
        generate_preset("enormous")


def test_policy_is_passed_through() -> None:
    policy = Policy(min_age=55, top_k=5)
    assert generate_round(50, 10, policy=policy).policy == policy
    assert generate_round(50, 10).policy == Policy()


# --- validity -----------------------------------------------------------------------------


def test_round_survives_a_validation_round_trip(small: Round) -> None:
    assert Round.model_validate(small.model_dump()).model_dump() == small.model_dump()


def test_ids_are_formatted_and_unique(small: Round) -> None:
    assert [t.id for t in small.talents[:2]] == ["t00001", "t00002"]
    assert [p.id for p in small.packages[:2]] == ["p00001", "p00002"]
    assert [o.id for o in small.organizations[:2]] == ["o0001", "o0002"]
    names = [o.name for o in small.organizations]
    assert len(set(names)) == len(names)


def test_every_reference_is_valid(small: Round) -> None:
    orgs = {o.id: o for o in small.organizations}
    talents = {t.id for t in small.talents}
    packages = {p.id for p in small.packages}
    for org in small.organizations:
        assert org.id not in org.competitors
        for other in org.competitors:
            assert orgs[other].sector == org.sector
            assert org.id in orgs[other].competitors
    for t in small.talents:
        assert orgs[t.lender].lends
        for field in (t.alumni, t.network, t.excluded):
            assert set(field) <= set(orgs)
            assert t.lender not in field
        assert set(t.preferences) <= packages
    for p in small.packages:
        assert orgs[p.host].hosts
        assert set(p.ranking) <= talents


def test_skills_levels_and_weights(small: Round) -> None:
    known = set(voc.SKILLS)
    for t in small.talents:
        assert 4 <= len(t.strengths) <= 8
        assert all(2 <= level <= 5 for level in t.strengths.values())
        assert 1 <= len(t.learning_goals) <= 4
        assert all(w > 0 for w in t.learning_goals.values())
        assert not set(t.learning_goals) & set(t.strengths)
        assert set(t.strengths) | set(t.learning_goals) <= known
        assert 2 <= len(t.values) <= 4
        assert set(t.values) <= set(voc.VALUES)
    for p in small.packages:
        assert 1 <= len(p.required) <= 3
        assert all(2 <= level <= 4 for level in p.required.values())
        assert 2 <= len(p.desired) <= 4
        assert not set(p.required) & set(p.desired)
        assert 2 <= len(p.learnable) <= 4
        assert set(p.required) | set(p.desired) | set(p.learnable) <= known
        assert 1 <= len(p.values) <= 3


def test_talent_strengths_concentrate_in_few_families(small: Round) -> None:
    family_of = {s: f for f, members in voc.SKILL_FAMILIES.items() for s in members}
    for t in small.talents:
        counts = Counter(family_of[s] for s in t.strengths).most_common()
        assert len(counts) <= 3
        assert counts[0][1] + (counts[1][1] if len(counts) > 1 else 0) >= len(t.strengths) - 1


def test_people_money_and_time(small: Round) -> None:
    for t in small.talents:
        assert 45 <= t.age <= 66
        assert 4_000 <= t.salary <= 13_000
        assert 0.8 <= t.retention <= 1.0
        assert t.fte in (0.6, 0.8, 1.0)
        assert BASE_DATE <= t.available_from < BASE_DATE + dt.timedelta(days=183)
        months = (t.available_to - t.available_from).days / 30.44
        assert 11.5 <= months <= 36.5
        assert t.region in voc.REGIONS
        assert set(t.languages) & set(voc.REGION_LANGUAGES[t.region])
    for p in small.packages:
        assert 1 <= p.seats <= 3
        assert 0.5 <= p.fte <= 1.0
        assert BASE_DATE <= p.start < BASE_DATE + dt.timedelta(days=275)
        assert 5.5 <= p.months <= 24.5
        assert 0.4 * 6_500 * p.fte - 50 <= p.fee_cap <= 6_500 * p.fte + 50
        assert 1 <= len(p.languages) <= 2
        spoken_here = set(voc.REGION_LANGUAGES[p.region]) | {"en"}
        assert set(p.languages) <= spoken_here


def test_shares_are_realistic() -> None:
    round_ = generate_round(4_000, 1_000, seed=3)
    talents, packages = round_.talents, round_.packages
    assert 0.015 <= np.mean([t.age < 50 for t in talents]) <= 0.05
    assert 0.25 <= np.mean([bool(t.preferences) for t in talents]) <= 0.35
    assert 0.65 <= np.mean([t.accepts_remote for t in talents]) <= 0.75
    assert 0.15 <= np.mean([bool(p.ranking) for p in packages]) <= 0.25
    modes = Counter(p.remote for p in packages)
    assert modes[RemoteMode.ONSITE] > modes[RemoteMode.HYBRID] > modes[RemoteMode.REMOTE]
    assert 0.15 <= modes[RemoteMode.REMOTE] / len(packages) <= 0.25
    assert 6_000 <= np.median([t.salary for t in talents]) <= 7_000
    roles = Counter(o.role for o in round_.organizations)
    assert min(roles[r] for r in Role) >= 0.15 * len(round_.organizations)
    assert any(o.competitors for o in round_.organizations)

    def flat_share(sectors: set[str]) -> float:
        orgs = [o for o in round_.organizations if o.sector in sectors]
        return float(np.mean([o.structure == Structure.FLAT for o in orgs]))

    assert flat_share({"technology", "non-profit"}) > 0.4
    assert flat_share({"public", "healthcare", "finance"}) < 0.35


# --- budgets ------------------------------------------------------------------------------


def test_budgets_are_present_and_binding(small: Round) -> None:
    demand: dict[str, float] = {}
    for p in small.packages:
        demand[p.host] = demand.get(p.host, 0.0) + p.fee_cap * p.seats
    limited = [o for o in small.organizations if o.hosts and o.hiring_budget is not None]
    assert limited
    assert all(
        o.hiring_budget is not None and o.hiring_budget < demand.get(o.id, 0.0) for o in limited
    )
    lenders = [o for o in small.organizations if o.lends]
    assert any(o.topup_budget is not None and o.topup_budget > 0 for o in lenders)
    assert any(o.topup_budget == 0 for o in lenders)
    for o in small.organizations:
        assert o.hosts or o.hiring_budget is None
        assert o.lends or o.topup_budget is None


# --- plausibility -------------------------------------------------------------------------


def test_eligibility_is_plausible(medium: tuple[Round, CompiledRound]) -> None:
    round_, compiled = medium
    per_talent = np.bincount(compiled.talent, minlength=len(round_.talents))
    assert 10 <= per_talent.mean() <= 60
    assert (per_talent > 0).mean() > 0.7


def test_every_rule_excludes_some_pairs(medium: tuple[Round, CompiledRound]) -> None:
    _, compiled = medium
    excluded = compiled.excluded_by_rule()
    silent = {"forbidden_pair", "minimum_fit", "learning"}
    assert all(excluded[rule] > 0 for rule in RULE_NAMES if rule not in silent), excluded


def test_preferences_name_packages_in_the_talents_families(small: Round) -> None:
    family_of = {s: f for f, members in voc.SKILL_FAMILIES.items() for s in members}
    packages = {p.id: p for p in small.packages}
    hits = total = 0
    for t in small.talents:
        own = {family_of[s] for s in t.strengths}
        for package_id in t.preferences:
            total += 1
            hits += bool(own & {family_of[s] for s in packages[package_id].required})
    assert total > 0
    assert hits / total > 0.9
