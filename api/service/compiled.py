"""Compiled rounds kept in the web process for shortlists and why-not answers: compiling
is the slow part (seconds at 100,000 talents), a query on the compiled arrays takes
microseconds. A version never changes, so an entry never goes stale; the least recently used
goes when the cache is full."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from matcher.compile import CompiledRound, compile_round
from matcher.models import Round, Talent
from matcher.shortlists import Shortlists


@dataclass(frozen=True)
class Compiled:
    """A round version compiled, with its shortlist orders, and who owns what (for the
    access rules of the routes that answer from it)."""

    round: Round
    compiled: CompiledRound
    shortlists: Shortlists
    talents: dict[str, Talent]
    package_hosts: dict[str, str]

    @classmethod
    def of(cls, round_: Round) -> Compiled:
        compiled = compile_round(round_)
        return cls(
            round_,
            compiled,
            Shortlists(compiled),
            {t.id: t for t in round_.talents},
            {p.id: p.host for p in round_.packages},
        )


class CompiledCache:
    """The ``size`` most recently used compiled versions.

    Two requests for one version that is not yet compiled compile it once: the second waits
    for the first.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[int, Compiled] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[int, threading.Lock] = {}

    def get(self, version_id: int, load: Callable[[], Round]) -> Compiled:
        """The compiled version ``version_id``; ``load`` gives its round when not cached."""
        with self._lock:
            entry = self._entries.get(version_id)
            if entry is not None:
                self._entries.move_to_end(version_id)
                return entry
            building = self._building.setdefault(version_id, threading.Lock())
        with building:
            with self._lock:
                entry = self._entries.get(version_id)
            if entry is not None:
                return entry
            entry = Compiled.of(load())
            with self._lock:
                self._entries[version_id] = entry
                self._building.pop(version_id, None)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return entry
