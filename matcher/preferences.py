"""Two-sided preferences over the eligible edges of a round, for stable matching.

A talent ranks packages and a package ranks talents, over eligible edges only. Each side's
order comes from one of two sources, chosen per talent and per package:

* **given**: the talent's ``preferences`` (the package's ``ranking``). When a list is
  given, the partners it does not name are unacceptable to that side;
* **derived** (no list, or ``use_lists=False``): a talent ranks packages by a talent-side
  score, the policy-weighted mean of its own preference, learning gain and values fit;
  a package ranks talents by strengths fit. Every eligible partner is acceptable.

Derived scores are compared at float32 precision, that of every score; ties are broken by
the partner's index, so each order is a strict, deterministic total order.
An edge is *acceptable* when it is acceptable to both sides; ranks are dense (0 = best) over
each owner's acceptable edges, and -1 elsewhere. Only relative order matters for stability;
the dense ranks are what the egalitarian and minimax objectives add up.

The same data is available in proposal-list (CSR) form, :class:`ProposalLists`, which is
what deferred acceptance walks: one contiguous, ordered list per proposer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from matcher.arrays import BoolArray, FloatArray, Int64Array, IntArray, PairRanks
from matcher.compile import CompiledRound

Side = Literal["talents", "packages"]
TALENT_SIDE_SCORES: tuple[str, ...] = ("preference", "learning", "values")
"""Score components a talent ranks packages by (its own half of ``preference`` only)."""
PACKAGE_SIDE_SCORES: tuple[str, ...] = ("strengths",)
"""Score components a package ranks talents by."""


@dataclass(frozen=True, eq=False)
class ProposalLists:
    """Preference lists of proposers over receivers, in compressed-row form.

    Proposer ``i``'s list, best first, is ``receiver[start[i] : start[i + 1]]``; entry ``j``
    of the flat arrays is the proposal of proposer ``i`` to ``receiver[j]``, which ranks
    ``i`` at ``receiver_rank[j]`` (lower is better, distinct within each receiver).

    Attributes
    ----------
    start
        ``(n_proposers + 1,)`` offsets into the flat arrays.
    receiver, receiver_rank
        Flat list entries.
    quota
        How many receivers each proposer may hold at once (1 for a talent, seats for a
        package).
    capacity
        How many proposers each receiver may hold at once.
    """

    start: Int64Array
    receiver: IntArray
    receiver_rank: IntArray
    quota: IntArray
    capacity: IntArray

    def __post_init__(self) -> None:
        if self.start.size != self.quota.size + 1:
            raise ValueError("start must have one more entry than quota.")
        if self.receiver.size != self.receiver_rank.size or self.receiver.size != self.start[-1]:
            raise ValueError("receiver and receiver_rank must have start[-1] entries.")

    @property
    def n_proposers(self) -> int:
        return int(self.quota.size)

    @property
    def n_receivers(self) -> int:
        return int(self.capacity.size)

    @property
    def n_entries(self) -> int:
        return int(self.receiver.size)

    def proposer_of(self, positions: npt.NDArray[np.integer]) -> Int64Array:
        """The proposer owning each flat list position."""
        return (np.searchsorted(self.start, positions, side="right") - 1).astype(np.int64)


@dataclass(frozen=True, eq=False)
class Preferences:
    """Strict two-sided preferences over a set of edges (see the module docstring).

    Attributes
    ----------
    talent, package
        Talent and package index of each edge (the caller's edge order, kept as is).
    talent_rank
        Rank of the edge's package in the talent's list (0 = best); -1 where the edge is
        not acceptable to both sides.
    package_rank
        Rank of the edge's talent in the package's list; -1 likewise.
    seats
        Capacity of each package.
    talent_order, talent_start
        Acceptable edges sorted by (talent, talent_rank), and each talent's offset into it.
    package_order, package_start
        Acceptable edges sorted by (package, package_rank), and each package's offset.
    """

    talent: IntArray
    package: IntArray
    talent_rank: IntArray
    package_rank: IntArray
    seats: IntArray
    talent_order: Int64Array
    talent_start: Int64Array
    package_order: Int64Array
    package_start: Int64Array

    @property
    def n_edges(self) -> int:
        return int(self.talent.size)

    @property
    def n_talents(self) -> int:
        return int(self.talent_start.size - 1)

    @property
    def n_packages(self) -> int:
        return int(self.package_start.size - 1)

    @property
    def acceptable(self) -> BoolArray:
        """Whether each edge is acceptable to both sides."""
        return np.asarray(self.talent_rank >= 0, dtype=bool)

    def talent_list(self, t: int) -> Int64Array:
        """Talent ``t``'s acceptable edges, best first."""
        return self.talent_order[self.talent_start[t] : self.talent_start[t + 1]]

    def package_list(self, p: int) -> Int64Array:
        """Package ``p``'s acceptable edges, best first."""
        return self.package_order[self.package_start[p] : self.package_start[p + 1]]

    def proposals(self, side: Side) -> tuple[ProposalLists, Int64Array]:
        """The lists of the proposing ``side`` and the edge of each list entry.

        Parameters
        ----------
        side
            ``"talents"``: talents propose to packages (quota 1, capacity = seats);
            ``"packages"``: packages propose to talents (quota = seats, capacity 1).

        Returns
        -------
        lists, edges
            The proposal lists, and for each flat entry the edge index it stands for.
        """
        if side == "talents":
            edges = self.talent_order
            lists = ProposalLists(
                start=self.talent_start,
                receiver=self.package[edges],
                receiver_rank=self.package_rank[edges],
                quota=np.ones(self.n_talents, dtype=np.int32),
                capacity=self.seats,
            )
        elif side == "packages":
            edges = self.package_order
            lists = ProposalLists(
                start=self.package_start,
                receiver=self.talent[edges],
                receiver_rank=self.talent_rank[edges],
                quota=self.seats,
                capacity=np.ones(self.n_talents, dtype=np.int32),
            )
        else:
            raise ValueError(f"side {side!r} not understood; use 'talents' or 'packages'.")
        return lists, edges

    @classmethod
    def from_keys(
        cls,
        talent: npt.NDArray[np.integer],
        package: npt.NDArray[np.integer],
        talent_key: npt.ArrayLike,
        package_key: npt.ArrayLike,
        seats: npt.NDArray[np.integer],
        n_talents: int,
    ) -> Preferences:
        """Preferences from sort keys on each edge (lower is better, ``inf``: unacceptable).

        Parameters
        ----------
        talent, package
            Talent and package index of each edge; pairs must be distinct.
        talent_key
            The talent's key for each edge: it prefers lower keys; ties go to the lower
            package index. ``inf`` (or NaN) marks a package the talent does not accept.
        package_key
            The package's key for each edge, likewise (ties go to the lower talent index).
        seats
            Seats of each package; its length is the number of packages.
        n_talents
            Number of talents (talents without edges included).
        """
        t = np.asarray(talent, dtype=np.int32)
        p = np.asarray(package, dtype=np.int32)
        tkey = np.asarray(talent_key, dtype=np.float64)
        pkey = np.asarray(package_key, dtype=np.float64)
        if not t.size == p.size == tkey.size == pkey.size:
            raise ValueError("talent, package and both keys must have one entry per edge.")
        seats_ = np.asarray(seats, dtype=np.int32)
        if t.size and (t.min() < 0 or t.max() >= n_talents):
            raise ValueError("talent index out of range.")
        if p.size and (p.min() < 0 or p.max() >= seats_.size):
            raise ValueError("package index out of range.")
        ok = np.isfinite(tkey) & np.isfinite(pkey)
        pair_key = t.astype(np.int64) * max(seats_.size, 1) + p
        in_pair_order = bool(np.all(np.diff(pair_key) > 0))
        talent_rank, talent_order, talent_start = _dense_ranks(
            t, p, tkey, ok, n_talents, in_pair_order
        )
        package_rank, package_order, package_start = _dense_ranks(
            p, t, pkey, ok, seats_.size, in_pair_order
        )
        return cls(
            talent=t,
            package=p,
            talent_rank=talent_rank,
            package_rank=package_rank,
            seats=seats_,
            talent_order=talent_order,
            talent_start=talent_start,
            package_order=package_order,
            package_start=package_start,
        )


def float_order_key(values: npt.NDArray[np.floating]) -> Int64Array:
    """An integer key in ``[0, 2**32)`` that sorts float32 ``values`` in increasing order.

    Exact: equal values (``-0.0`` and ``0.0`` included) get equal keys, and any difference
    is kept. The sign bit is flipped for positives and all bits for negatives, the usual
    way to make float bits compare like the numbers.
    """
    bits = (np.asarray(values, dtype=np.float32) + np.float32(0)).view(np.uint32)
    negative = (bits >> np.uint32(31)).astype(bool)
    flipped = np.where(negative, ~bits, bits | np.uint32(0x80000000))
    return flipped.astype(np.int64)


def group_order(owner: npt.NDArray[np.integer], n_owners: int, key: Int64Array) -> Int64Array:
    """Positions sorted by (owner, key, position), for keys in ``[0, 2**32)``.

    Two stable sorts instead of a lexsort (several times faster on millions of edges):
    owners first (a radix sort when they fit in 16 bits), then owner and key packed in one
    int64, which is nearly sorted by then.
    """
    small = n_owners <= 1 << 16
    by_owner = np.argsort(owner.astype(np.uint16 if small else np.int64), kind="stable")
    packed = (owner[by_owner].astype(np.int64) << 32) | key[by_owner]
    return by_owner[np.argsort(packed, kind="stable")].astype(np.int64)


def _dense_ranks(
    owner: IntArray,
    partner: IntArray,
    key: FloatArray,
    ok: BoolArray,
    n_owners: int,
    partner_sorted: bool,
) -> tuple[IntArray, Int64Array, Int64Array]:
    """Rank of each acceptable edge within its owner's list (by key, then partner index).

    ``partner_sorted``: within each owner, partners appear in increasing order (true of the
    compiled round's edges, for both sides), so position breaks ties as partner index does
    and the fast paths apply: float32 keys pack with the owner into one int64; other keys
    are first replaced by their global rank.
    """
    chosen = np.flatnonzero(ok)
    keys = key[chosen]
    if partner_sorted:
        as32 = keys.astype(np.float32)
        if np.array_equal(as32, keys):
            code = float_order_key(as32)
        else:
            code = np.empty(chosen.size, dtype=np.int64)
            code[np.argsort(keys, kind="stable")] = np.arange(chosen.size)
        order = chosen[group_order(owner[chosen], n_owners, code)]
    else:
        order = chosen[np.lexsort((partner[chosen], keys, owner[chosen]))]
    order = order.astype(np.int64)
    counts = np.bincount(owner[order], minlength=n_owners)
    start = np.zeros(n_owners + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    rank = np.full(owner.size, -1, dtype=np.int32)
    rank[order] = np.arange(order.size, dtype=np.int64) - np.repeat(start[:-1], counts)
    return rank, order, start


def _talent_list_score(ranks: PairRanks, owner: IntArray, item: IntArray) -> FloatArray:
    """The talent's own ranking as a score: ``1 - rank / length``, 0 when not listed and a
    neutral 0.5 without a list (as in :func:`matcher.scores.preference_fit`)."""
    rank = ranks.rank(owner, item).astype(np.float64)
    length = ranks.list_length[owner].astype(np.float64)
    listed = np.divide(rank, length, out=np.zeros_like(rank), where=length > 0)
    return np.where(length == 0, 0.5, np.where(rank >= 0, 1.0 - listed, 0.0))


def talent_side_score(compiled: CompiledRound) -> FloatArray:
    """How much each edge's talent wants the package, from the talent's side only.

    The policy-weighted mean of the talent's own ranking score, learning gain and values
    fit (equal weights if the policy gives all three zero weight). The ``preference``
    component of the compiled round is not used as is: it also averages in the host's
    ranking of the talent, which is not the talent's wish.
    """
    a = compiled.arrays
    parts = {
        "preference": _talent_list_score(a.talent_preferences, compiled.talent, compiled.package),
        "learning": compiled.component("learning").astype(np.float64),
        "values": compiled.component("values").astype(np.float64),
    }
    weights = {name: a.policy.weights.get(name, 0.0) for name in TALENT_SIDE_SCORES}
    if sum(weights.values()) <= 0:
        weights = dict.fromkeys(TALENT_SIDE_SCORES, 1.0)
    total = sum(weights.values())
    # float32, like every score: equal at that precision counts as a tie
    mean = sum(w * parts[name] for name, w in weights.items()) / total
    return np.asarray(mean, dtype=np.float32).astype(np.float64)


def package_side_score(compiled: CompiledRound) -> FloatArray:
    """How much each edge's package wants the talent: its strengths fit."""
    return compiled.component("strengths").astype(np.float64)


def build_preferences(compiled: CompiledRound, *, use_lists: bool = True) -> Preferences:
    """Both sides' preferences over the eligible edges of ``compiled``.

    Parameters
    ----------
    compiled
        The compiled round; its edges (and their order) are the edges of the result.
    use_lists
        Use the talents' ``preferences`` and the packages' ``ranking`` where given (partners
        not listed are then unacceptable); if False, derive every order from scores.

    Returns
    -------
    Preferences
        Ranks per edge, with ties broken by the partner's index.
    """
    a = compiled.arrays
    t, p = compiled.talent, compiled.package
    talent_key = -talent_side_score(compiled)
    package_key = -package_side_score(compiled)
    if use_lists:
        talent_key = _list_keys(a.talent_preferences, t, p, talent_key)
        package_key = _list_keys(a.package_ranking, p, t, package_key)
    return Preferences.from_keys(t, p, talent_key, package_key, a.package_seats, a.n_talents)


def _list_keys(
    ranks: PairRanks, owner: IntArray, item: IntArray, derived: FloatArray
) -> FloatArray:
    """Keys from the owner's list where it has one (unlisted: ``inf``), else ``derived``."""
    rank = ranks.rank(owner, item)
    has_list = ranks.list_length[owner] > 0
    listed = np.where(rank >= 0, rank.astype(np.float64), np.inf)
    return np.where(has_list, listed, derived)


__all__ = [
    "PACKAGE_SIDE_SCORES",
    "TALENT_SIDE_SCORES",
    "Preferences",
    "ProposalLists",
    "Side",
    "build_preferences",
    "float_order_key",
    "group_order",
    "package_side_score",
    "talent_side_score",
]
