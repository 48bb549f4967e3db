"""Candidate pairs of the compile step: for each talent, the packages it can reach whose key
requirement it meets, without looping over pairs in Python.

The location rule is counted, not enumerated (:func:`location_passes`): per region, how many
packages (talents) each talent (package) can reach. Candidates come from an inverted index
of the packages' key requirements (each package's most selective required skill and level),
grouped by the regions a talent can reach (:class:`Candidates`); the required-skills rule
then checks the other requirements on these candidates only
(:mod:`matcher.compile_chunks`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.arrays import REMOTE_CODES, Int64Array, RoundArrays
from matcher.models import RemoteMode

__all__ = ["Candidates", "location_passes"]


def _ranges(starts: Int64Array, lengths: Int64Array) -> Int64Array:
    """Concatenation of ``arange(s, s + n)`` for each (s, n), without a Python loop."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, lengths)


@dataclass(frozen=True, eq=False)
class _PackageIndex:
    """Packages sorted by (group, key skill, key level ascending).

    The packages of group ``g`` whose key requirement is skill ``s`` at a level of at most
    ``l`` are ``packages[start[g, s] : start[g, s] + count[g, s, l]]``: the packages a talent
    of that group with skill ``s`` at level ``l`` is a candidate for. Skill ``S`` (one past
    the vocabulary) holds the packages without a key requirement, which every talent reaches.
    A package may be listed in several groups.
    """

    packages: Int64Array
    start: Int64Array  # (G, S + 1)
    count: Int64Array  # (G, S + 1, 6)

    @classmethod
    def build(
        cls,
        packages: Int64Array,
        group: Int64Array,
        skill: Int64Array,
        level: Int64Array,
        n_groups: int,
        n_skills: int,
    ) -> _PackageIndex:
        key = group * (n_skills + 1) + skill
        order = np.lexsort((packages, level, key))
        key, level = key[order], level[order]
        n_keys = n_groups * (n_skills + 1)
        per_key = np.bincount(key, minlength=n_keys)
        start = (np.cumsum(per_key) - per_key).reshape(n_groups, n_skills + 1)
        count = np.zeros((n_keys, 6), dtype=np.int64)
        for lvl in range(6):
            count[:, lvl] = np.bincount(key[level <= lvl], minlength=n_keys)
        return cls(packages[order], start, count.reshape(n_groups, n_skills + 1, 6))


def _key_requirements(
    a: RoundArrays, holders: Int64Array, group: Int64Array, skills_on: bool
) -> tuple[Int64Array, Int64Array]:
    """Each package's key requirement (skill, level): the required skill that the fewest
    talents hold at the required level (``holders[group[p], s, l]`` of them), or skill ``S``
    at level 1 for a package without requirements or when the rule is off."""
    n_skills, n_packages = len(a.skills), a.n_packages
    skill = np.full(n_packages, n_skills, dtype=np.int64)
    level = np.ones(n_packages, dtype=np.int64)
    if not skills_on or n_packages == 0:
        return skill, level
    rows = np.arange(n_packages)
    req_skill = a.package_required_skill.astype(np.int64)
    req_level = a.package_required_level.astype(np.int64)
    sizes = holders[group[:, None], req_skill, req_level]
    sizes = np.where(req_level > 0, sizes, np.iinfo(np.int64).max)
    best = sizes.argmin(axis=1)
    real = req_level[rows, best] > 0
    skill = np.where(real, req_skill[rows, best], n_skills)
    level = np.where(real, req_level[rows, best], 1)
    return skill, level


@dataclass(frozen=True, eq=False)
class Candidates:
    """Each alive talent's candidate packages, as ranges of a package index sorted by talent.

    A talent's candidates are the packages whose key requirement it meets (see
    :class:`_PackageIndex`) among those it can reach: with the location rule on, the onsite
    and hybrid packages of its region, and the remote packages of its region or, if it
    accepts remote work, of every region. Every candidate thus passes the location rule,
    which is counted, not enumerated (:func:`location_passes`).
    """

    index: _PackageIndex
    talent: Int64Array
    start: Int64Array
    length: Int64Array

    @classmethod
    def build(
        cls, a: RoundArrays, alive: npt.NDArray[np.bool_], location_on: bool, skills_on: bool
    ) -> Candidates:
        n_skills, n_regions = len(a.skills), len(a.regions)
        # (talent, skill, level) of every alive talent's skill, and skill S at level 5
        everyone = np.flatnonzero(alive)
        t, s = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if skills_on:
            t, s = np.nonzero(np.where(alive[:, None], a.talent_level[:, :n_skills], 0))
        lvl = a.talent_level[t, s].astype(np.int64)
        order = np.argsort(np.concatenate([t, everyone]), kind="stable")
        t = np.concatenate([t, everyone]).astype(np.int64)[order]
        s = np.concatenate([s, np.full(everyone.size, n_skills)]).astype(np.int64)[order]
        lvl = np.concatenate([lvl, np.full(everyone.size, 5)])[order]

        # talents holding each skill at each level or above, per region and overall, to
        # choose each package's most selective requirement as its key
        region = a.talent_region[t].astype(np.int64)
        by_region = np.bincount(
            (region * (n_skills + 1) + s) * 6 + lvl, minlength=n_regions * (n_skills + 1) * 6
        ).reshape(n_regions, n_skills + 1, 6)
        overall = np.bincount(s * 6 + lvl, minlength=(n_skills + 1) * 6).reshape(n_skills + 1, 6)
        by_region = np.cumsum(by_region[:, :, ::-1], axis=2)[:, :, ::-1]
        overall = np.cumsum(overall[:, ::-1], axis=1)[:, ::-1]

        packages = np.arange(a.n_packages, dtype=np.int64)
        if location_on:
            remote = a.package_remote == REMOTE_CODES[RemoteMode.REMOTE]
            p_region = a.package_region.astype(np.int64)
            regional_key = _key_requirements(a, by_region, p_region, skills_on)
            overall_key = _key_requirements(a, overall[None], np.zeros_like(p_region), skills_on)
            key_skill = np.where(remote, overall_key[0], regional_key[0])
            key_level = np.where(remote, overall_key[1], regional_key[1])
            # groups: onsite and hybrid packages of region r (r), remote packages of region r
            # (R + r), and every remote package (2R)
            on_remote = packages[remote]
            index = _PackageIndex.build(
                np.concatenate([packages, on_remote]),
                np.concatenate(
                    [
                        np.where(remote, n_regions + p_region, p_region),
                        np.full(on_remote.size, 2 * n_regions),
                    ]
                ),
                np.concatenate([key_skill, key_skill[remote]]),
                np.concatenate([key_level, key_level[remote]]),
                2 * n_regions + 1,
                n_skills,
            )
            accepts = a.talent_remote[t]
            groups = [region, np.where(accepts, 2 * n_regions, n_regions + region)]
        else:
            no_group = np.zeros(a.n_packages, dtype=np.int64)
            skill, level = _key_requirements(a, overall[None], no_group, skills_on)
            index = _PackageIndex.build(
                packages, np.zeros_like(packages), skill, level, 1, n_skills
            )
            groups = [np.zeros_like(t)]
        start = np.concatenate([index.start[g, s] for g in groups])
        length = np.concatenate([index.count[g, s, lvl] for g in groups])
        owner = np.concatenate([t for _ in groups])
        used = np.flatnonzero(length > 0)
        order = used[np.argsort(owner[used], kind="stable")]
        return cls(index, owner[order], start[order], length[order])

    def per_talent(self, n_talents: int) -> Int64Array:
        """Number of candidates of each talent."""
        counts = np.zeros(n_talents, dtype=np.int64)
        np.add.at(counts, self.talent, self.length)
        return counts

    def chunks(self, n_talents: int, limit: int, max_span: int) -> list[tuple[int, int]]:
        """Consecutive talent ranges [lo, hi) of about ``limit`` candidates each (a chunk
        exceeds it by at most one talent's candidates) and at most ``max_span`` talents."""
        per_talent = self.per_talent(n_talents)
        first = np.cumsum(per_talent) - per_talent
        chunk_of = first // max(limit, 1)
        cuts = np.flatnonzero(np.diff(chunk_of)) + 1
        bounds = [0, *cuts.tolist(), n_talents]
        spans = []
        for lo, hi in itertools.pairwise(bounds):
            for start in range(lo, hi, max_span):
                spans.append((start, min(start + max_span, hi)))
        has = np.concatenate([[0], np.cumsum(per_talent)])
        return [(lo, hi) for lo, hi in spans if has[hi] > has[lo]]

    def candidates(self, lo: int, hi: int) -> tuple[Int64Array, Int64Array]:
        """Candidate pairs (talent, package) of the talents in [lo, hi)."""
        r0, r1 = np.searchsorted(self.talent, [lo, hi])
        length = self.length[r0:r1]
        pos = _ranges(self.start[r0:r1], length)
        return np.repeat(self.talent[r0:r1], length), self.index.packages[pos]


def location_passes(a: RoundArrays, alive_talents: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Per alive talent, the packages passing the location rule, and per package, the alive
    talents passing it: counted, not enumerated."""
    n_regions = len(a.regions)
    region = a.talent_region[alive_talents]
    accepts = a.talent_remote[alive_talents]
    remote = a.package_remote == REMOTE_CODES[RemoteMode.REMOTE]
    packages_in = np.bincount(a.package_region, minlength=n_regions)
    remote_in = np.bincount(a.package_region[remote], minlength=n_regions)
    per_talent = packages_in[region] + accepts * (int(remote.sum()) - remote_in[region])
    talents_in = np.bincount(region, minlength=n_regions)
    accepting_in = np.bincount(region[accepts], minlength=n_regions)
    same = talents_in[a.package_region]
    others = int(accepts.sum()) - accepting_in[a.package_region]
    per_package = same + remote * others
    return per_talent.astype(np.int64), per_package.astype(np.int64)
