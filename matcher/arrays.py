"""A round as numpy arrays: the input of every vectorized rule and score.

Records become integer indices (talent ``t``, package ``p``, organization ``o``), names become
vocabulary indices, dates become day numbers, and sets become padded index lists. A padded
list uses the vocabulary size as its pad value, and every per-talent matrix indexed by such a
list has one extra column for the pad, so that gathers never need a branch.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from matcher.models import Policy, RemoteMode, Round, Structure

IntArray = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

REMOTE_CODES = {RemoteMode.ONSITE: 0, RemoteMode.HYBRID: 1, RemoteMode.REMOTE: 2}
STRONG_LEVEL = 4
"""A skill at this level or above counts as one of the talent's strengths."""


def padded(lists: Sequence[Sequence[int]], pad: int, width: int | None = None) -> IntArray:
    """Ragged integer lists as one ``(len(lists), width)`` array, padded with ``pad``."""
    lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    width = max(int(lengths.max(initial=0)), 1) if width is None else width
    out = np.full((len(lists), width), pad, dtype=np.int32)
    flat = np.fromiter((v for x in lists for v in x), dtype=np.int32, count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(lists)), lengths)
    starts = np.cumsum(lengths) - lengths
    cols = np.arange(flat.size) - np.repeat(starts, lengths)
    out[rows, cols] = flat
    return out


def row_offsets(table: npt.NDArray[np.generic], rows: npt.NDArray[np.integer]) -> Int64Array:
    """Flat index of the start of each row ``rows[i]`` of a C-contiguous 2-D ``table``.

    ``table.reshape(-1)[row_offsets(table, t) + c]`` is ``table[t, c]`` pair by pair: one flat
    gather per column is several times faster than 2-D fancy indexing with broadcast index
    arrays. Rows are widened to int64 so that large tables cannot overflow the index.
    """
    offsets: Int64Array = rows.astype(np.int64) * table.shape[1]
    return offsets


def vocabulary(names: Iterable[str]) -> tuple[list[str], dict[str, int]]:
    """Sorted distinct names and their index."""
    ordered = sorted(set(names))
    return ordered, {name: i for i, name in enumerate(ordered)}


@dataclass(frozen=True, eq=False)
class PairRanks:
    """Ranks of (owner, item) pairs, looked up by the sorted key ``owner * n_items + item``."""

    keys: Int64Array
    ranks: IntArray
    list_length: IntArray
    n_items: int

    @classmethod
    def build(cls, lists: Sequence[Sequence[int]], n_items: int) -> PairRanks:
        lengths = np.fromiter((len(x) for x in lists), dtype=np.int32, count=len(lists))
        owners = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
        items = np.fromiter((v for x in lists for v in x), dtype=np.int64, count=int(lengths.sum()))
        starts = np.cumsum(lengths) - lengths
        ranks = (np.arange(items.size) - np.repeat(starts, lengths)).astype(np.int32)
        keys = owners * n_items + items
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], ranks[order], lengths, n_items)

    def rank(self, owner: npt.NDArray[np.integer], item: npt.NDArray[np.integer]) -> IntArray:
        """0-based rank of ``item`` in ``owner``'s list, -1 where it is not listed."""
        missing = np.full(np.shape(owner), -1, dtype=np.int32)
        if self.keys.size == 0 or missing.size == 0:
            return missing
        # queries usually come from a run of talents (a chunk), as owners or as items:
        # searching only the keys of that run keeps the binary search in cache
        n_owners = self.list_length.size
        by_owner = self._window(self.keys, owner, self.n_items)
        by_item = self._window(self._by_item[0], item, n_owners)
        if by_owner[1] - by_owner[0] <= by_item[1] - by_item[0]:
            keys, ranks = self.keys, self.ranks
            query = owner.astype(np.int64) * self.n_items + item
            lo, hi = by_owner
        else:
            keys, ranks = self._by_item
            query = item.astype(np.int64) * n_owners + owner
            lo, hi = by_item
        if lo == hi:
            return missing
        window = keys[lo:hi]
        pos = np.minimum(np.searchsorted(window, query), window.size - 1)
        return np.where(window[pos] == query, ranks[lo:hi][pos], -1).astype(np.int32)

    @staticmethod
    def _window(keys: Int64Array, major: npt.NDArray[np.integer], stride: int) -> tuple[int, int]:
        """The slice of ``keys`` (sorted ``major * stride + minor``) within the range of
        ``major``."""
        lo = int(np.searchsorted(keys, int(major.min()) * stride))
        hi = int(np.searchsorted(keys, (int(major.max()) + 1) * stride))
        return lo, hi

    @cached_property
    def _by_item(self) -> tuple[Int64Array, IntArray]:
        """The keys ``item * n_owners + owner``, sorted, and their ranks."""
        n_owners = self.list_length.size
        owner, item = np.divmod(self.keys, self.n_items)
        keys = item * n_owners + owner
        order = np.argsort(keys)
        return keys[order], self.ranks[order]


@dataclass(frozen=True, eq=False)
class RoundArrays:
    """Columnar view of a :class:`~matcher.models.Round` (see the module docstring)."""

    policy: Policy
    talent_ids: list[str]
    package_ids: list[str]
    org_ids: list[str]
    skills: list[str]
    values: list[str]
    languages: list[str]
    regions: list[str]
    sectors: list[str]
    # organizations
    org_sector: IntArray
    org_flat: BoolArray
    org_topup_budget: FloatArray  # inf: no limit
    org_hiring_budget: FloatArray  # inf: no limit
    org_competitors: IntArray  # padded with n_orgs, symmetric
    # talents
    talent_lender: IntArray
    talent_age: IntArray
    talent_level: npt.NDArray[np.uint8]  # (T, S + 1), 0 = no such skill
    talent_goal: Float32Array  # (T, S + 1), learning-goal weight, 0 = no goal
    talent_goal_total: Float32Array
    talent_gain: Float32Array  # (T, S + 1), goal weight x (1 - level / 5): what learning s gives
    talent_strong: IntArray  # number of skills at STRONG_LEVEL or above
    talent_values: BoolArray  # (T, V + 1)
    talent_value_count: IntArray
    talent_languages: BoolArray  # (T, L + 1), the pad column is True
    talent_salary: FloatArray
    talent_retention: FloatArray
    talent_fte: FloatArray
    talent_from: IntArray  # day numbers
    talent_to: IntArray
    talent_region: IntArray
    talent_remote: BoolArray
    talent_alumni: IntArray  # padded with n_orgs
    talent_network: IntArray
    talent_excluded: IntArray
    talent_preferences: PairRanks
    # packages
    package_host: IntArray
    package_required_skill: IntArray  # padded with S
    package_required_level: npt.NDArray[np.uint8]  # 0 for the pad
    package_desired_skill: IntArray
    package_desired_weight: Float32Array  # 0 for the pad
    package_learnable: IntArray
    package_values: IntArray  # padded with V
    package_value_count: IntArray
    package_languages: IntArray  # padded with L
    package_seats: IntArray
    package_fte: FloatArray
    package_start: IntArray
    package_end: IntArray
    package_fee_cap: FloatArray
    package_region: IntArray
    package_remote: npt.NDArray[np.int8]
    package_ranking: PairRanks
    # pairs
    forbidden: Int64Array  # sorted keys t * n_packages + p

    @property
    def n_talents(self) -> int:
        return len(self.talent_ids)

    @property
    def n_packages(self) -> int:
        return len(self.package_ids)

    @property
    def n_orgs(self) -> int:
        return len(self.org_ids)

    def pair_keys(self, t: npt.NDArray[np.integer], p: npt.NDArray[np.integer]) -> Int64Array:
        """Unique int64 key of each (talent, package) pair."""
        return t.astype(np.int64) * self.n_packages + p

    @cached_property
    def talent_retained_salary(self) -> FloatArray:
        """Per talent: the salary retained at full time (salary x retention)."""
        retained: FloatArray = self.talent_salary * self.talent_retention
        return retained

    @cached_property
    def package_skill_weight(self) -> Float32Array:
        """Per package: number of required skills plus the desired skills' weights."""
        required = (self.package_required_level > 0).sum(axis=1, dtype=np.float32)
        total = required + self.package_desired_weight.sum(axis=1, dtype=np.float32)
        return np.asarray(total, dtype=np.float32)


def _days(dates: Iterable[object]) -> IntArray:
    return np.fromiter((d.toordinal() for d in dates), dtype=np.int32)  # type: ignore[attr-defined]


def _budget(values: Iterable[float | None]) -> FloatArray:
    return np.array([np.inf if v is None else v for v in values], dtype=np.float64)


def encode_round(round_: Round) -> RoundArrays:
    """Build the columnar arrays of ``round_`` (a loop over records, never over pairs)."""
    with _collection_paused():
        return _encode(round_)


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector.

    Encoding builds many small lists that live until it ends and form no cycles; meanwhile
    they trigger full collections, each traversing every object of a large round again
    (about 2 s of 5 on a round of 100,000 talents).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _encode(round_: Round) -> RoundArrays:
    orgs, talents, packages = round_.organizations, round_.talents, round_.packages
    org_ids = [o.id for o in orgs]
    org_index = {o: i for i, o in enumerate(org_ids)}
    talent_index = {t.id: i for i, t in enumerate(talents)}
    package_index = {p.id: i for i, p in enumerate(packages)}
    n_orgs = len(orgs)

    skills, skill_index = vocabulary(
        [s for t in talents for s in (*t.strengths, *t.learning_goals)]
        + [s for p in packages for s in (*p.required, *p.desired, *p.learnable)]
    )
    values, value_index = vocabulary(
        [v for t in talents for v in t.values] + [v for p in packages for v in p.values]
    )
    languages, language_index = vocabulary(
        [x for t in talents for x in t.languages] + [x for p in packages for x in p.languages]
    )
    regions, region_index = vocabulary([t.region for t in talents] + [p.region for p in packages])
    sectors, sector_index = vocabulary(o.sector for o in orgs)
    n_skills, n_values, n_languages = len(skills), len(values), len(languages)

    competitors: list[set[int]] = [set() for _ in orgs]
    for i, org in enumerate(orgs):
        for other in org.competitors:
            competitors[i].add(org_index[other])
            competitors[org_index[other]].add(i)

    n_talents = len(talents)
    level = np.zeros((n_talents, n_skills + 1), dtype=np.uint8)
    goal = np.zeros((n_talents, n_skills + 1), dtype=np.float32)
    talent_values = np.zeros((n_talents, n_values + 1), dtype=bool)
    talent_languages = np.zeros((n_talents, n_languages + 1), dtype=bool)
    talent_languages[:, n_languages] = True
    for i, t in enumerate(talents):
        for skill, lvl in t.strengths.items():
            level[i, skill_index[skill]] = lvl
        for skill, weight in t.learning_goals.items():
            goal[i, skill_index[skill]] = weight
        for v in t.values:
            talent_values[i, value_index[v]] = True
        for lang in t.languages:
            talent_languages[i, language_index[lang]] = True

    def org_lists(lists: Iterable[Iterable[str]]) -> IntArray:
        # alumni and network may name organizations outside the platform: they never match
        return padded([[org_index[o] for o in x if o in org_index] for x in lists], n_orgs)

    required = padded([[skill_index[s] for s in p.required] for p in packages], n_skills)
    desired = padded([[skill_index[s] for s in p.desired] for p in packages], n_skills)
    desired_weight = _padded_weights([list(p.desired.values()) for p in packages])
    return RoundArrays(
        policy=round_.policy,
        talent_ids=[t.id for t in talents],
        package_ids=[p.id for p in packages],
        org_ids=org_ids,
        skills=skills,
        values=values,
        languages=languages,
        regions=regions,
        sectors=sectors,
        org_sector=np.array([sector_index[o.sector] for o in orgs], dtype=np.int32),
        org_flat=np.array([o.structure == Structure.FLAT for o in orgs], dtype=bool),
        org_topup_budget=_budget(o.topup_budget for o in orgs),
        org_hiring_budget=_budget(o.hiring_budget for o in orgs),
        org_competitors=padded([sorted(c) for c in competitors], n_orgs),
        talent_lender=np.array([org_index[t.lender] for t in talents], dtype=np.int32),
        talent_age=np.array([t.age for t in talents], dtype=np.int32),
        talent_level=level,
        talent_goal=goal,
        talent_goal_total=goal.sum(axis=1, dtype=np.float32),
        talent_gain=goal * (1.0 - level.astype(np.float32) / 5.0),
        talent_strong=(level >= STRONG_LEVEL).sum(axis=1).astype(np.int32),
        talent_values=talent_values,
        talent_value_count=talent_values.sum(axis=1).astype(np.int32),
        talent_languages=talent_languages,
        talent_salary=np.array([t.salary for t in talents], dtype=np.float64),
        talent_retention=np.array([t.retention for t in talents], dtype=np.float64),
        talent_fte=np.array([t.fte for t in talents], dtype=np.float64),
        talent_from=_days(t.available_from for t in talents),
        talent_to=_days(t.available_to for t in talents),
        talent_region=np.array([region_index[t.region] for t in talents], dtype=np.int32),
        talent_remote=np.array([t.accepts_remote for t in talents], dtype=bool),
        talent_alumni=org_lists(t.alumni for t in talents),
        talent_network=org_lists(t.network for t in talents),
        talent_excluded=org_lists(t.excluded for t in talents),
        talent_preferences=PairRanks.build(
            [[package_index[x] for x in t.preferences] for t in talents], len(packages)
        ),
        package_host=np.array([org_index[p.host] for p in packages], dtype=np.int32),
        package_required_skill=required,
        package_required_level=padded([list(p.required.values()) for p in packages], 0).astype(
            np.uint8
        ),
        package_desired_skill=desired,
        package_desired_weight=desired_weight,
        package_learnable=padded(
            [[skill_index[s] for s in p.learnable] for p in packages], n_skills
        ),
        package_values=padded([[value_index[v] for v in p.values] for p in packages], n_values),
        package_value_count=np.array([len(p.values) for p in packages], dtype=np.int32),
        package_languages=padded(
            [[language_index[x] for x in p.languages] for p in packages], n_languages
        ),
        package_seats=np.array([p.seats for p in packages], dtype=np.int32),
        package_fte=np.array([p.fte for p in packages], dtype=np.float64),
        package_start=_days(p.start for p in packages),
        package_end=_days(p.end for p in packages),
        package_fee_cap=np.array([p.fee_cap for p in packages], dtype=np.float64),
        package_region=np.array([region_index[p.region] for p in packages], dtype=np.int32),
        package_remote=np.array([REMOTE_CODES[p.remote] for p in packages], dtype=np.int8),
        package_ranking=PairRanks.build(
            [[talent_index[x] for x in p.ranking] for p in packages], len(talents)
        ),
        forbidden=np.unique(
            np.array(
                [
                    talent_index[f.talent] * len(packages) + package_index[f.package]
                    for f in round_.forbidden
                ],
                dtype=np.int64,
            )
        ),
    )


def _padded_weights(lists: Sequence[Sequence[float]]) -> Float32Array:
    width = max((len(x) for x in lists), default=0) or 1
    out = np.zeros((len(lists), width), dtype=np.float32)
    for i, weights in enumerate(lists):
        out[i, : len(weights)] = weights
    return out
