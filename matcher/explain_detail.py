"""What exactly kept an unplaced talent off the package behind its main reason.

:func:`matcher.explain.explain_unplaced` classifies every eligible package of an unplaced
talent; this module looks closer at one of them and says, in the round's own terms, which
constraint binds: the talents holding the seats and their scores, the budget with the
amount it has left (after the assignment) and the amount the placement would need, the pin
or previous decision that holds a seat, the fairness rule, or, when nothing binds, that
the solve stopped before reaching the better assignment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matcher.compile import CompiledRound
from matcher.fairness import host_excess
from matcher.models import Round
from matcher.objective import scaled

FloatArray = npt.NDArray[np.float64]
_EPS = 1e-6
MAX_NAMED = 3
"""Talents named per package in a detail sentence; the others are counted."""

# what holds a seat that a lower-scored talent got, or what keeps a talent off a free seat
PINNED = "pinned"
ACCEPTED = "accepted"
PROPOSED = "proposed"
LENDER_MINIMUM = "lender_minimum"
HOST_SHARE = "host_share"
HOST_FEE = "host_budget"
LENDER_TOPUP = "lender_budget"
SUBSIDY = "subsidy_pool"
SEARCH = "search"


@dataclass(frozen=True)
class Labels:
    """Names beside ids: organizations' names and packages' titles (empty without a round)."""

    orgs: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, round_: Round | None) -> Labels:
        if round_ is None:
            return cls()
        return cls(
            {o.id: o.name for o in round_.organizations},
            {p.id: p.title for p in round_.packages},
        )

    def org(self, org_id: str) -> str:
        name = self.orgs.get(org_id)
        return f"'{org_id}' ({name})" if name and name != org_id else f"'{org_id}'"

    def package(self, package_id: str) -> str:
        title = self.titles.get(package_id)
        return f"'{package_id}' ({title})" if title and title != package_id else f"'{package_id}'"


def money(value: float) -> str:
    """A monthly amount as sentences show it: ``1,250`` or ``49.60``."""
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


@dataclass(frozen=True)
class Detail:
    """The closer look at one (talent, package) edge."""

    cause: str
    detail: str
    left: float | None = None
    needed: float | None = None
    holders: tuple[tuple[str, float], ...] = ()


@dataclass
class DetailContext:
    """What the assignment leaves: budgets, seats' holders, placements per organization."""

    compiled: CompiledRound
    chosen: npt.NDArray[np.int64]
    fees_left: FloatArray
    topups_left: FloatArray
    pool_left: float
    labels: Labels
    holders: dict[int, list[int]] = field(init=False)
    per_lender: npt.NDArray[np.int64] = field(init=False)
    per_host: npt.NDArray[np.int64] = field(init=False)
    targets: npt.NDArray[np.int64] = field(init=False)
    units: npt.NDArray[np.int64] = field(init=False)
    pinned: set[int] = field(init=False)
    accepted: set[int] = field(init=False)
    proposed: set[int] = field(init=False)

    def __post_init__(self) -> None:
        c, a = self.compiled, self.compiled.arrays
        self.holders = {}
        for e in self.chosen.tolist():
            self.holders.setdefault(int(c.package[e]), []).append(e)
        self.per_lender = np.bincount(
            a.talent_lender[c.talent[self.chosen]], minlength=a.n_orgs
        ).astype(np.int64)
        self.per_host = np.bincount(
            a.package_host[c.package[self.chosen]], minlength=a.n_orgs
        ).astype(np.int64)
        # placements owed to each lender: min_per_lender, capped by its talents with an edge
        reachable = np.bincount(a.talent_lender[np.unique(c.talent)], minlength=a.n_orgs)
        self.targets = np.minimum(reachable, a.policy.min_per_lender).astype(np.int64)
        self.units = scaled(c.score)
        self.pinned = set(c.pins.tolist())
        self.accepted = set(c.accepted.tolist())
        self.proposed = set(c.proposed.tolist())

    def _who(self, e: int) -> tuple[str, float]:
        c = self.compiled
        return c.arrays.talent_ids[int(c.talent[e])], round(float(c.score[e]), 3)

    def _named(self, edges: list[int]) -> str:
        shown = [f"'{t}' (score {s:.3f})" for t, s in map(self._who, edges[:MAX_NAMED])]
        more = len(edges) - MAX_NAMED
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")

    def describe(self, e: int, code: str, others: int) -> Detail:
        """Why edge ``e`` (of an unplaced talent) was not chosen; ``code`` is its category
        (:mod:`matcher.explain`), ``others`` how many more packages share it."""
        c, a = self.compiled, self.compiled.arrays
        p = int(c.package[e])
        host = a.org_ids[int(a.package_host[p])]
        where = (
            f"package {self.labels.package(a.package_ids[p])} at {self.labels.org(host)} "
            f"(its score there {float(c.score[e]):.3f})"
        )
        likewise = f"; {others} other package{'s' if others > 1 else ''} likewise" if others else ""
        held = sorted(self.holders.get(p, []), key=lambda h: (int(self.units[h]), h))
        if code == "outcompeted":
            held.sort(key=lambda h: (-int(self.units[h]), h))
            seats = "its seat went" if len(held) == 1 else "its seats went"
            text = f"{where}: {seats} to {self._named(held)}"
            return Detail("", text + likewise, holders=tuple(map(self._who, held)))
        if code == "seats_taken":
            lower = [h for h in held if self.units[h] < self.units[e]]
            details = [self._swap(e, h) for h in lower]
            pick = next((d for d in details if d.cause == SEARCH), details[0])
            text = f"{where}: its seat went to {pick.detail}"
            return Detail(pick.cause, text + likewise, pick.left, pick.needed, pick.holders)
        if code == "not_chosen":
            return self._free_seat(e, where, likewise)
        # a budget: say every one the placement would break, the category's first
        lender = a.org_ids[int(a.talent_lender[c.talent[e]])]
        checks = [
            ("host_budget_exhausted", c.host_fee[e], self.fees_left[a.package_host[p]],
             "the host's hiring budget", "the fee"),
            ("lender_budget_exhausted", c.topup[e], self.topups_left[a.talent_lender[c.talent[e]]],
             f"its lender {self.labels.org(lender)}'s top-up budget", "the top-up"),
            ("subsidy_pool_exhausted", c.subsidy[e], self.pool_left,
             "the subsidy pool", "the subsidy"),
        ]  # fmt: skip
        broken = [x for x in checks if x[1] > x[2] + _EPS]
        broken.sort(key=lambda x: x[0] != code)
        parts = [
            f"{what} has {money(max(left, 0.0))} left per month and {name} would be {money(need)}"
            for _, need, left, what, name in broken
        ]
        first = broken[0]
        text = f"{where} had a free seat, but " + "; and ".join(parts)
        return Detail(code, text + likewise, float(max(first[2], 0.0)), float(first[1]))

    def _swap(self, e: int, h: int) -> Detail:
        """Why the talent of ``e`` could not take the seat of ``h``, a lower-scored holder."""
        c, a = self.compiled, self.compiled.arrays
        policy = a.policy
        who, score = self._who(h)
        named = f"'{who}' (score {score:.3f})"
        holder = ((who, score),)
        if h in self.pinned:
            return Detail(PINNED, f"{named}, pinned there", holders=holder)
        if h in self.accepted:
            return Detail(
                ACCEPTED, f"{named}, kept from the previous round (accepted)", holders=holder
            )
        o = int(a.package_host[c.package[e]])
        fee = float(c.host_fee[e] - c.host_fee[h])
        if fee > self.fees_left[o] + _EPS:
            text = (
                f"{named} at a fee of {money(float(c.host_fee[h]))}; the host would pay "
                f"{money(fee)} more per month and its hiring budget has "
                f"{money(max(float(self.fees_left[o]), 0.0))} left"
            )
            return Detail(HOST_FEE, text, max(float(self.fees_left[o]), 0.0), fee, holder)
        mine, theirs = int(a.talent_lender[c.talent[e]]), int(a.talent_lender[c.talent[h]])
        topup = float(c.topup[e] - (c.topup[h] if mine == theirs else 0.0))
        if topup > self.topups_left[mine] + _EPS:
            left = max(float(self.topups_left[mine]), 0.0)
            text = (
                f"{named}; its lender {self.labels.org(a.org_ids[mine])} would top up "
                f"{money(topup)} more per month and its top-up budget has {money(left)} left"
            )
            return Detail(LENDER_TOPUP, text, left, topup, holder)
        subsidy = float(c.subsidy[e] - c.subsidy[h])
        if subsidy > self.pool_left + _EPS:
            left = max(self.pool_left, 0.0)
            text = (
                f"{named}; the subsidy would grow by {money(subsidy)} per month and the pool "
                f"has {money(left)} left"
            )
            return Detail(SUBSIDY, text, left, subsidy, holder)
        # the objective: score gained against the penalties the swap adds
        short = int(mine != theirs and 0 < self.per_lender[theirs] <= self.targets[theirs]) - int(
            mine != theirs and self.per_lender[mine] < self.targets[mine]
        )
        if short > 0 and policy.fairness == "hard":
            return Detail(LENDER_MINIMUM, self._minimum(named, theirs), holders=holder)
        gain = int(self.units[e] - self.units[h])
        penalty = short * int(scaled(policy.fairness_penalty))
        if h in self.proposed:
            penalty += int(scaled(policy.disruption_penalty))
            if gain <= penalty:
                text = (
                    f"{named}, proposed there in the previous round; moving it costs a "
                    f"penalty of {policy.disruption_penalty:g}, more than the "
                    f"{gain / 1000:.3f} the score would gain"
                )
                return Detail(PROPOSED, text, holders=holder)
        if short > 0 and gain <= penalty:
            return Detail(LENDER_MINIMUM, self._minimum(named, theirs), holders=holder)
        text = (
            f"{named}; taking the seat instead breaks no constraint: a better assignment that "
            "the solve did not reach (it is not proven optimal)"
        )
        return Detail(SEARCH, text, holders=holder)

    def _minimum(self, named: str, lender: int) -> str:
        a = self.compiled.arrays
        return (
            f"{named}, one of the {self.per_lender[lender]} placements of lender "
            f"{self.labels.org(a.org_ids[lender])}, which the policy's minimum of "
            f"{a.policy.min_per_lender} per lender needs"
        )

    def _free_seat(self, e: int, where: str, likewise: str) -> Detail:
        """A free seat, every budget fits: the host's share, or the search."""
        c, a = self.compiled, self.compiled.arrays
        policy = a.policy
        o = int(a.package_host[c.package[e]])
        n, total = int(self.per_host[o]), int(self.chosen.size)
        share = policy.max_host_share
        grows = share < 1 and host_excess(n + 1, total + 1, share) > host_excess(n, total, share)
        gain = int(self.units[e]) + int(scaled(policy.placement_weight))
        blocks = policy.fairness == "hard" or (
            policy.objective == "weighted" and gain <= int(scaled(policy.fairness_penalty))
        )
        if grows and blocks:
            text = (
                f"{where} had a free seat and every budget fit, but the host has {n} of the "
                f"{total} placements, the most its share of {share:.1%} allows"
            )
            return Detail(HOST_SHARE, text + likewise)
        text = (
            f"{where} had a free seat and every budget fit: a better assignment that the "
            "solve did not reach (it is not proven optimal)"
        )
        return Detail(SEARCH, text + likewise)
