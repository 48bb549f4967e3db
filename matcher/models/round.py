"""The round that holds every record, and the pairs of its coordinator's decisions: pins,
forbidden pairs and the previous round's placements.

Checks across records (duplicate ids, unknown references, roles, pins that contradict
forbidden pairs, floors no pair can reach) run when a :class:`Round` is built, and every
message names the record and the field.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

from pydantic import Field, model_validator

from matcher.models.fields import Id, Record
from matcher.models.policy import Policy
from matcher.models.records import Organization, Talent, WorkPackage, peak_fte


class Pair(Record):
    """A (talent, package) pair, used for pins and forbidden pairs."""

    talent: Id
    package: Id


class PreviousPlacement(Pair):
    """A placement from the previous round: ``accepted`` ones are kept, ``proposed`` ones
    may change at a penalty."""

    status: Literal["accepted", "proposed"] = "proposed"


class Round(Record):
    """Everything in play in one matching round.

    Cross-record checks run on construction: duplicate ids, unknown references, roles,
    and pins that contradict forbidden pairs. Each error names the record and the field.
    """

    id: Id = "round"
    name: str = ""
    organizations: list[Organization]
    talents: list[Talent]
    packages: list[WorkPackage]
    policy: Policy = Field(default_factory=Policy)
    pins: list[Pair] = Field(default_factory=list)
    forbidden: list[Pair] = Field(default_factory=list)
    previous: list[PreviousPlacement] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Round:
        _no_duplicates("organizations", "organization", [o.id for o in self.organizations])
        _no_duplicates("talents", "talent", [t.id for t in self.talents])
        _no_duplicates("packages", "package", [p.id for p in self.packages])
        orgs = {o.id: o for o in self.organizations}
        talents = {t.id for t in self.talents}
        packages = {p.id for p in self.packages}
        for i, org in enumerate(self.organizations):
            for other in org.competitors:
                where = f"organization '{org.id}' (organizations[{i}]), field 'competitors'"
                _known(orgs, other, where)
        for i, t in enumerate(self.talents):
            where = f"talent '{t.id}' (talents[{i}])"
            _known(orgs, t.lender, f"{where}, field 'lender'")
            if not orgs[t.lender].lends:
                raise ValueError(
                    f"{where}, field 'lender': organization '{t.lender}' only hosts "
                    "(role 'host') and cannot lend talents"
                )
            for org_id in t.excluded:
                _known(orgs, org_id, f"{where}, field 'excluded'")
            for package_id in t.preferences:
                _known(packages, package_id, f"{where}, field 'preferences'", "package")
        for i, p in enumerate(self.packages):
            where = f"package '{p.id}' (packages[{i}])"
            _known(orgs, p.host, f"{where}, field 'host'")
            if not orgs[p.host].hosts:
                raise ValueError(
                    f"{where}, field 'host': organization '{p.host}' only lends "
                    "(role 'lender') and cannot host packages"
                )
            for talent_id in p.ranking:
                _known(talents, talent_id, f"{where}, field 'ranking'", "talent")
        for field, pairs in (
            ("pins", self.pins),
            ("forbidden", self.forbidden),
            ("previous", self.previous),
        ):
            for i, pair in enumerate(pairs):
                _known(talents, pair.talent, f"{field}[{i}], field 'talent'", "talent")
                _known(packages, pair.package, f"{field}[{i}], field 'package'", "package")
        _no_duplicate_pairs("pins", "pin", self.pins)
        _no_duplicate_pairs("forbidden", "forbidden pair", self.forbidden)
        _no_duplicate_pairs("previous", "previous placement", self.previous)
        forbidden = {(p.talent, p.package): i for i, p in enumerate(self.forbidden)}
        for i, pin in enumerate(self.pins):
            if (pin.talent, pin.package) in forbidden:
                raise ValueError(
                    f"pins[{i}]: pair talent '{pin.talent}' / package '{pin.package}' "
                    f"is also forbidden (forbidden[{forbidden[pin.talent, pin.package]}])"
                )
        _floors_reachable(self)
        return self

    def over_capacity(self) -> list[str]:
        """The pinned and accepted placements that cannot all be made, one message each:
        more on a package than its seats, or on a talent than the policy's
        ``max_tours_per_talent``.

        Not a validation error: the solvers report such a round as infeasible and name the
        constraint groups in conflict; ``cosource`` refuses it as bad input.
        """
        forced: list[tuple[str, Pair]] = [(f"pins[{i}]", pin) for i, pin in enumerate(self.pins)]
        forced += [
            (f"previous[{i}]", x) for i, x in enumerate(self.previous) if x.status == "accepted"
        ]
        by_package: dict[str, list[str]] = {}
        by_talent: dict[str, list[str]] = {}
        for where, pair in forced:
            by_package.setdefault(pair.package, []).append(where)
            by_talent.setdefault(pair.talent, []).append(where)
        messages = []
        for i, package in enumerate(self.packages):
            held = by_package.get(package.id, [])
            if len(held) > package.seats:
                seats = f"{package.seats} seat{'s' if package.seats > 1 else ''}"
                messages.append(
                    f"package '{package.id}' (packages[{i}]), field 'seats': {seats}, but "
                    f"{len(held)} pinned or accepted placements ({', '.join(held)})"
                )
        tours = self.policy.max_tours_per_talent
        packages = {p.id: p for p in self.packages}
        pairs = dict(forced)
        for i, talent in enumerate(self.talents):
            held = by_talent.get(talent.id, [])
            if len(held) > tours:
                messages.append(
                    f"talent '{talent.id}' (talents[{i}]): {len(held)} pinned or accepted "
                    f"placements ({', '.join(held)}), but policy field 'max_tours_per_talent' "
                    f"allows {tours}"
                )
            elif len(held) > 1:
                peak = peak_fte([packages[pairs[where].package] for where in held])
                if peak > talent.fte + 1e-6:
                    messages.append(
                        f"talent '{talent.id}' (talents[{i}]), field 'fte': pinned or accepted "
                        f"placements ({', '.join(held)}) overlap with {peak:g} FTE, above the "
                        f"talent's {talent.fte:g}"
                    )
        return messages

    def organization(self, org_id: str) -> Organization:
        """The organization with id ``org_id``."""
        for org in self.organizations:
            if org.id == org_id:
                return org
        raise KeyError(f"unknown organization '{org_id}'")


def _floors_reachable(round_: Round) -> None:
    """Refuse a floor on an outcome that no (talent, package) pair of the round has: no
    placement could count towards it."""
    floors = round_.policy.active_floors()
    if not floors or not round_.talents or not round_.packages:
        return
    why: dict[str, str] = {}
    if "learning" in floors:
        wanted = {
            s
            for t in round_.talents
            for s, _ in t.learning_goals.items()
            if t.strengths.get(s, 0) < 5
        }
        taught = {s for p in round_.packages for s in p.learnable}
        if not wanted & taught:
            why["learning"] = "no package teaches a learning goal that a talent has not mastered"
    if "strengths" in floors:
        strong = {s for t in round_.talents for s, level in t.strengths.items() if level >= 4}
        asked = {s for p in round_.packages for s in (*p.required, *p.desired)}
        if not strong & asked:
            why["strengths"] = "no package requires or desires a skill a talent has at level 4+"
    if "cross_sector" in floors:
        sectors = {o.id: o.sector for o in round_.organizations}
        lending = {sectors[t.lender] for t in round_.talents}
        hosting = {sectors[p.host] for p in round_.packages}
        if len(lending | hosting) == 1:
            why["cross_sector"] = "every lender and host is in one sector"
    for name, reason in why.items():
        raise ValueError(
            f"policy field 'floors.{name}': {reason}, so no placement can count towards the "
            f"floor of {floors[name].share:g}; remove the floor or set its share to 0"
        )


def _no_duplicates(collection: str, kind: str, ids: list[str]) -> None:
    first: dict[str, int] = {}
    for i, record_id in enumerate(ids):
        if record_id in first:
            raise ValueError(
                f"{kind} '{record_id}' ({collection}[{i}]), field 'id': duplicate id, "
                f"already used by {collection}[{first[record_id]}]"
            )
        first[record_id] = i


def _no_duplicate_pairs(collection: str, kind: str, pairs: Sequence[Pair]) -> None:
    first: dict[tuple[str, str], int] = {}
    for i, pair in enumerate(pairs):
        key = (pair.talent, pair.package)
        if key in first:
            raise ValueError(
                f"{collection}[{i}]: duplicate {kind} talent '{pair.talent}' / package "
                f"'{pair.package}', already at {collection}[{first[key]}]"
            )
        first[key] = i


def _known(known: Collection[str], ref: str, where: str, kind: str = "organization") -> None:
    if ref not in known:
        raise ValueError(f"{where}: unknown {kind} '{ref}'")


__all__ = ["Pair", "PreviousPlacement", "Round"]
