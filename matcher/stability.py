"""Blocking-pair audit of any matching, and its numbers for round reports.

Given two-sided preferences (:mod:`matcher.preferences`) and a matching (chosen edges), an
edge ``(t, p)`` that is not chosen *blocks* when

* it is acceptable to both sides,
* ``t`` prefers ``p`` to its assignment, or is unassigned, and
* ``p`` has a free seat, or prefers ``t`` to the worst talent it holds.

A matching without blocking pairs is stable. The audit works on any matching, from any
solver: a chosen edge that is not acceptable to both sides counts, for both of its ends, as
worse than every acceptable partner (and is reported as ``unacceptable``). A talent holding
several tours is judged by the worst one. One pass over the edges, no Python loop.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from matcher.arrays import Int64Array
from matcher.preferences import Preferences


@dataclass(frozen=True, eq=False)
class StabilityAudit:
    """The blocking pairs of a matching.

    Attributes
    ----------
    blocking
        Number of blocking pairs.
    unacceptable
        Chosen edges that one side or both do not accept.
    pairs
        The blocking edges (sorted edge indices), when asked for.
    """

    blocking: int
    unacceptable: int
    pairs: Int64Array | None = None

    @property
    def stable(self) -> bool:
        return self.blocking == 0


def audit_matching(
    preferences: Preferences, edges: npt.ArrayLike, *, with_pairs: bool = False
) -> StabilityAudit:
    """Count the blocking pairs of the matching ``edges``.

    Parameters
    ----------
    preferences
        Both sides' preferences over the edges.
    edges
        Indices of the chosen edges.
    with_pairs
        Also return the blocking edges.

    Returns
    -------
    StabilityAudit
        The count, and the pairs if asked.
    """
    return _audit(preferences, np.asarray(edges, dtype=np.int64), with_pairs)


def _audit(prefs: Preferences, edges: Int64Array, with_pairs: bool) -> StabilityAudit:
    n_talents, n_packages = prefs.n_talents, prefs.n_packages
    chosen = np.zeros(prefs.n_edges, dtype=bool)
    chosen[edges] = True
    edges = np.flatnonzero(chosen)
    t, p = prefs.talent[edges], prefs.package[edges]
    # an unacceptable assignment is worse than any acceptable partner: rank `beyond`
    beyond = np.iinfo(np.int32).max
    trank = np.where(prefs.talent_rank[edges] >= 0, prefs.talent_rank[edges], beyond)
    prank = np.where(prefs.package_rank[edges] >= 0, prefs.package_rank[edges], beyond)
    unacceptable = int((prefs.talent_rank[edges] < 0).sum())

    talent_has = np.full(n_talents, -1, dtype=np.int64)
    np.maximum.at(talent_has, t, trank)
    talent_has[talent_has < 0] = beyond  # unassigned: any acceptable package is better
    holding = np.bincount(p, minlength=n_packages)
    package_worst = np.full(n_packages, -1, dtype=np.int64)
    np.maximum.at(package_worst, p, prank)

    et, ep = prefs.talent, prefs.package
    blocks = (
        ~chosen
        & (prefs.talent_rank >= 0)
        & (prefs.talent_rank < talent_has[et])
        & ((holding[ep] < prefs.seats[ep]) | (prefs.package_rank < package_worst[ep]))
    )
    pairs = np.flatnonzero(blocks).astype(np.int64) if with_pairs else None
    return StabilityAudit(int(blocks.sum()), unacceptable, pairs)


def rank_summary(preferences: Preferences, edges: npt.ArrayLike) -> tuple[int, int]:
    """The egalitarian cost and the worst rank of the matching ``edges``.

    The egalitarian cost adds both sides' 0-based ranks of every placed pair; the worst rank
    is the largest rank either side gets. A placed pair that one side does not accept ranks,
    for that side, just below its whole list.

    Returns
    -------
    total, worst
        Both 0 for an empty matching.
    """
    e = np.asarray(edges, dtype=np.int64)
    degree_t = np.diff(preferences.talent_start)[preferences.talent[e]]
    degree_p = np.diff(preferences.package_start)[preferences.package[e]]
    trank = np.where(preferences.talent_rank[e] >= 0, preferences.talent_rank[e], degree_t)
    prank = np.where(preferences.package_rank[e] >= 0, preferences.package_rank[e], degree_p)
    worst = np.maximum(trank, prank)
    return int(trank.sum() + prank.sum()), int(worst.max(initial=0))


@dataclass(frozen=True)
class StabilityKpis:
    """Stability indicators of a matching, for round reports.

    Attributes
    ----------
    blocking_pairs
        Number of blocking pairs (0: the matching is stable).
    blocking_talents, blocking_packages
        Distinct talents and packages in at least one blocking pair.
    unacceptable_placements
        Placements that one side does not accept.
    stable
        Whether there is no blocking pair.
    """

    blocking_pairs: int
    blocking_talents: int
    blocking_packages: int
    unacceptable_placements: int
    stable: bool

    def as_dict(self) -> dict[str, int | bool]:
        """The indicators as a JSON-ready dict."""
        return asdict(self)


def stability_kpis(preferences: Preferences, edges: npt.ArrayLike) -> StabilityKpis:
    """The stability indicators of the matching ``edges`` (see :class:`StabilityKpis`)."""
    return kpis_of_audit(preferences, audit_matching(preferences, edges, with_pairs=True))


def kpis_of_audit(preferences: Preferences, audit: StabilityAudit) -> StabilityKpis:
    """The stability indicators of an audit made ``with_pairs``."""
    pairs = audit.pairs if audit.pairs is not None else np.zeros(0, dtype=np.int64)
    return StabilityKpis(
        blocking_pairs=audit.blocking,
        blocking_talents=int(np.unique(preferences.talent[pairs]).size),
        blocking_packages=int(np.unique(preferences.package[pairs]).size),
        unacceptable_placements=audit.unacceptable,
        stable=audit.stable,
    )


__all__ = [
    "StabilityAudit",
    "StabilityKpis",
    "audit_matching",
    "kpis_of_audit",
    "rank_summary",
    "stability_kpis",
]
