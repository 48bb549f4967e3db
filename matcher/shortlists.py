"""Shortlists: the best eligible talents for a package, and the best packages for a talent.

A hiring organization asks for the top ``k`` candidates of one of its packages many times
while a round is open, so the work is split in two:

* once per compiled round, :class:`Shortlists` sorts the edges by (package, score
  descending, talent) and by (talent, score descending, package), and keeps the offsets of
  each package's and each talent's run (compressed-row form);
* a query slices that run: O(k) without filters. With filters (talents already placed,
  talents pinned to another package), it scans forward through the run in growing chunks
  until it has ``k``, so it costs O(k + skipped), never a sort.

Queries use indexing, comparisons and slicing only, never BLAS: a BLAS call spins up its
thread pool, and on a small machine that also runs solvers those threads compete for the
same cores, which shows as latency spikes in the slowest queries rather than in the median.
Serving processes and the benchmark also pin BLAS to one thread for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.arrays import BoolArray, Float32Array, Int64Array, IntArray
from matcher.compile import CompiledRound
from matcher.models import SCORE_NAMES
from matcher.preferences import float_order_key, group_order

FIRST_CHUNK = 64
"""Edges examined by the first step of a filtered scan; each further step doubles."""


@dataclass(frozen=True, eq=False)
class Shortlist:
    """The top candidates of one package (or talent), best first.

    Attributes
    ----------
    owner
        Id of the package (talent) asked about.
    edges
        Compiled edge of each candidate.
    partners
        Index of each candidate talent (package).
    partner_ids
        Their ids.
    score
        Total score of each candidate.
    components
        ``(len, len(SCORE_NAMES))`` score components of each candidate.
    """

    owner: str
    edges: Int64Array
    partners: IntArray
    partner_ids: list[str]
    score: Float32Array
    components: Float32Array

    def __len__(self) -> int:
        return int(self.edges.size)

    def breakdown(self) -> list[dict[str, float]]:
        """One dict per candidate: ``score`` and each score component."""
        rows = []
        for total, parts in zip(self.score.tolist(), self.components.tolist(), strict=True):
            row = {"score": total}
            row.update(zip(SCORE_NAMES, parts, strict=True))
            rows.append(row)
        return rows


def _runs(owner: IntArray, order: Int64Array, n_owners: int) -> Int64Array:
    """Offsets of each owner's run in ``order`` (which is sorted by owner)."""
    start = np.zeros(n_owners + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner[order], minlength=n_owners), out=start[1:])
    return start


class Shortlists:
    """Per-package and per-talent edge orders of a compiled round, for fast top-k queries.

    Parameters
    ----------
    compiled
        The compiled round; building costs two sorts of its edges.
    """

    def __init__(self, compiled: CompiledRound) -> None:
        a = compiled.arrays
        self.compiled = compiled
        t, p = compiled.talent, compiled.package
        # best first, ties to the lower index: edges are sorted by (talent, package), so
        # within one package (talent) position order is talent (package) order
        code = float_order_key(-compiled.score)
        self._by_package = group_order(p, a.n_packages, code)
        self._package_start = _runs(p, self._by_package, a.n_packages)
        self._by_talent = group_order(t, a.n_talents, code)
        self._talent_start = _runs(t, self._by_talent, a.n_talents)
        # partner and score in run order, so a query reads contiguous memory
        self._package_run_talent = t[self._by_package]
        self._talent_run_package = p[self._by_talent]
        self._pin_count = np.bincount(t[compiled.pins], minlength=a.n_talents).astype(np.int32)
        self._pinned_edge = np.zeros(compiled.n_edges, dtype=bool)
        self._pinned_edge[compiled.pins] = True
        self._talent_index = {x: i for i, x in enumerate(a.talent_ids)}
        self._package_index = {x: i for i, x in enumerate(a.package_ids)}

    def placed_talents(self, edges: npt.ArrayLike) -> BoolArray:
        """Mask over talents of those placed by ``edges`` (compute once, reuse per query)."""
        mask = np.zeros(self.compiled.arrays.n_talents, dtype=bool)
        mask[self.compiled.talent[np.asarray(edges, dtype=np.int64)]] = True
        return mask

    def for_package(
        self,
        package: int | str,
        k: int = 10,
        *,
        placed: BoolArray | None = None,
        skip_pinned_elsewhere: bool = False,
    ) -> Shortlist:
        """The ``k`` best-scored eligible talents of a package.

        Parameters
        ----------
        package
            Package index or id.
        k
            Length of the shortlist (shorter if fewer talents qualify).
        placed
            Mask over talents to leave out, e.g. from :meth:`placed_talents`.
        skip_pinned_elsewhere
            Leave out talents pinned to another package.

        Returns
        -------
        Shortlist
            Candidates best first, ties broken by talent index.
        """
        p = self._index(package, self._package_index, "package")
        lo, hi = int(self._package_start[p]), int(self._package_start[p + 1])
        if k < 0:
            raise ValueError("k < 0 not understood.")
        if placed is None and not skip_pinned_elsewhere:
            positions = np.arange(lo, min(hi, lo + k), dtype=np.int64)
        else:
            positions = self._scan(lo, hi, k, placed, skip_pinned_elsewhere)
        edges = self._by_package[positions]
        talents = self._package_run_talent[positions]
        ids = self.compiled.arrays.talent_ids
        return self._shortlist(self.compiled.arrays.package_ids[p], edges, talents, ids)

    def for_talent(
        self, talent: int | str, k: int = 10, *, skip: BoolArray | None = None
    ) -> Shortlist:
        """The ``k`` best-scored eligible packages of a talent.

        Parameters
        ----------
        talent
            Talent index or id.
        k
            Length of the shortlist.
        skip
            Mask over packages to leave out (full ones, say).
        """
        t = self._index(talent, self._talent_index, "talent")
        if k < 0:
            raise ValueError("k < 0 not understood.")
        lo, hi = int(self._talent_start[t]), int(self._talent_start[t + 1])
        if skip is None:
            positions = np.arange(lo, min(hi, lo + k), dtype=np.int64)
        else:
            positions = self._scan_talent(lo, hi, k, skip)
        edges = self._by_talent[positions]
        packages = self._talent_run_package[positions]
        ids = self.compiled.arrays.package_ids
        return self._shortlist(self.compiled.arrays.talent_ids[t], edges, packages, ids)

    def _scan(
        self, lo: int, hi: int, k: int, placed: BoolArray | None, skip_pinned: bool
    ) -> Int64Array:
        found: list[Int64Array] = []
        need, step, pos = k, FIRST_CHUNK, lo
        while need > 0 and pos < hi:
            stop = min(hi, pos + max(step, 2 * need))
            talents = self._package_run_talent[pos:stop]
            ok = np.ones(stop - pos, dtype=bool)
            if placed is not None:
                ok &= ~placed[talents]
            if skip_pinned:
                here = self._pinned_edge[self._by_package[pos:stop]]
                ok &= self._pin_count[talents] - here <= 0
            hits = np.flatnonzero(ok)[:need] + pos
            found.append(hits)
            need -= hits.size
            pos, step = stop, step * 2
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def _scan_talent(self, lo: int, hi: int, k: int, skip: BoolArray) -> Int64Array:
        found: list[Int64Array] = []
        need, step, pos = k, FIRST_CHUNK, lo
        while need > 0 and pos < hi:
            stop = min(hi, pos + max(step, 2 * need))
            hits = np.flatnonzero(~skip[self._talent_run_package[pos:stop]])[:need] + pos
            found.append(hits)
            need -= hits.size
            pos, step = stop, step * 2
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def _shortlist(
        self, owner: str, edges: Int64Array, partners: IntArray, ids: list[str]
    ) -> Shortlist:
        return Shortlist(
            owner=owner,
            edges=edges,
            partners=partners,
            partner_ids=[ids[i] for i in partners.tolist()],
            score=self.compiled.score[edges],
            components=self.compiled.components[edges],
        )

    @staticmethod
    def _index(key: int | str, index: dict[str, int], kind: str) -> int:
        if isinstance(key, str):
            if key not in index:
                raise KeyError(f"unknown {kind} '{key}'")
            return index[key]
        if not 0 <= key < len(index):
            raise IndexError(f"{kind} index {key} out of range")
        return int(key)


__all__ = ["FIRST_CHUNK", "Shortlist", "Shortlists"]
