"""Shortlists: the best eligible talents of a package, the best packages of a talent, from
the compiled round's sorted edges (:class:`matcher.shortlists.Shortlists`), not a solve; and
why a talent is not on a package, as its host may see it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from api.service.auth import CallerDep
from api.service.compiled import Compiled
from api.service.deps import CacheDep, DatabaseDep
from api.service.errors import NotFoundError
from api.service.host_why_not import HostWhyNotPublic, held_seats, host_why_not
from api.service.keys import Caller, Role
from api.service.queries import load_round, version_key
from api.service.routes.rounds import Id, VersionNumber
from api.service.schemas import MAX_SHORTLIST, Candidate, ShortlistPublic, errors
from api.service.visibility import visible_round
from api.views import HOST_SCORE_NAMES
from matcher.models import SCORE_NAMES
from matcher.shortlists import Shortlist

router = APIRouter(prefix="/rounds/{round_id}", tags=["shortlists"])

Key = Annotated[str, Path(min_length=1, max_length=200)]
K = Annotated[int, Query(ge=1, le=MAX_SHORTLIST, description="length of the shortlist")]


def _compiled(
    caller: Caller, database: DatabaseDep, cache: CacheDep, round_id: int, version: int | None
) -> tuple[int, Compiled]:
    with database.read() as session:
        # the coordinator sees every round, and version_key says whether it exists
        if caller.role != Role.COORDINATOR:
            visible_round(session, caller, round_id)
        version_id, number = version_key(session, round_id, version)

    def load() -> Any:
        with database.read() as session:
            return load_round(session, version_id)

    return number, cache.get(version_id, load)


def _public(
    caller: Caller,
    round_id: int,
    version: int,
    kind: Literal["package", "talent"],
    entry: Compiled,
    shortlist: Shortlist,
) -> ShortlistPublic:
    scores = shortlist.score.tolist()
    parts = shortlist.components.tolist()
    compiled = entry.compiled
    fees = compiled.host_fee[shortlist.edges].tolist()
    topups = compiled.topup[shortlist.edges].tolist()
    # a host sees no cost part: beside the fee it would reveal the retained salary
    names = HOST_SCORE_NAMES if caller.role == Role.HOST else SCORE_NAMES
    candidates = []
    for i, (who, s, part) in enumerate(zip(shortlist.partner_ids, scores, parts, strict=True)):
        candidate = Candidate(
            id=who,
            score=round(s, 4),
            parts={n: round(x, 4) for n, x in zip(SCORE_NAMES, part, strict=True) if n in names},
        )
        if kind == "package" and caller.role in (Role.HOST, Role.COORDINATOR):
            talent = entry.talents[who]
            candidate.strengths = dict(talent.strengths)
            candidate.learning_goals = dict(talent.learning_goals)
            candidate.host_fee = round(fees[i], 2)
        if caller.role == Role.COORDINATOR:
            candidate.host_fee = round(fees[i], 2)
            candidate.topup = round(topups[i], 2)
        candidates.append(candidate)
    return ShortlistPublic(
        round_id=round_id, version=version, owner=shortlist.owner, kind=kind, candidates=candidates
    )


@router.get(
    "/packages/{package}/shortlist",
    responses=errors(401, 404, 422),
    response_model_exclude_none=True,
)
def package_shortlist(
    round_id: Id,
    package: Key,
    caller: CallerDep,
    database: DatabaseDep,
    cache: CacheDep,
    k: K = 10,
    version: VersionNumber = None,
) -> ShortlistPublic:
    """The ``k`` best-scored eligible talents of a package, best first, with the score's
    parts: for the coordinator, and for the package's host."""
    number, entry = _compiled(caller, database, cache, round_id, version)
    _own_package(caller, entry, package)
    shortlist = entry.shortlists.for_package(package, k)
    return _public(caller, round_id, number, "package", entry, shortlist)


def _own_package(caller: Caller, entry: Compiled, package: str) -> None:
    """Not found unless the caller is the coordinator or the package's host."""
    host = entry.package_hosts.get(package)
    mine = caller.role == Role.COORDINATOR or (
        caller.role == Role.HOST and host == caller.organization
    )
    if host is None or not mine:
        raise NotFoundError("package", repr(package))


@router.get("/packages/{package}/why-not", responses=errors(401, 404, 422))
def package_why_not(
    round_id: Id,
    package: Key,
    caller: CallerDep,
    database: DatabaseDep,
    cache: CacheDep,
    talent: Annotated[str, Query(min_length=1, max_length=200)],
    version: VersionNumber = None,
) -> HostWhyNotPublic:
    """Why ``talent`` is not on ``package``, as the package's host may see it (and the
    coordinator, who has the full answer of a run at ``/runs/{id}/why-not``): the rules the
    pair fails, with the facts of those about the work only; else the pair's score without
    its cost part, its rank among the package's eligible talents, and the host's own offers
    on the package. No salary, age, top-up or subsidy, nor where else the talent is placed."""
    number, entry = _compiled(caller, database, cache, round_id, version)
    _own_package(caller, entry, package)
    with database.read() as session:
        offers = held_seats(session, round_id, package)
    return host_why_not(entry, round_id, number, talent, package, offers)


@router.get(
    "/talents/{talent}/shortlist",
    responses=errors(401, 404, 422),
    response_model_exclude_none=True,
)
def talent_shortlist(
    round_id: Id,
    talent: Key,
    caller: CallerDep,
    database: DatabaseDep,
    cache: CacheDep,
    k: K = 10,
    version: VersionNumber = None,
) -> ShortlistPublic:
    """The ``k`` best-scored eligible packages of a talent, best first: for the
    coordinator, the talent, and the talent's lender."""
    number, entry = _compiled(caller, database, cache, round_id, version)
    record = entry.talents.get(talent)
    mine = record is not None and (
        caller.role == Role.COORDINATOR
        or (caller.role == Role.TALENT and caller.talent == talent)
        or (caller.role == Role.LENDER and caller.organization == record.lender)
    )
    if not mine:
        raise NotFoundError("talent", repr(talent))
    shortlist = entry.shortlists.for_talent(talent, k)
    return _public(caller, round_id, number, "talent", entry, shortlist)
