"""Shortlists: the best eligible talents of a package, the best packages of a talent, from
the compiled round's sorted edges (:class:`matcher.shortlists.Shortlists`), not a solve."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from api.service.compiled import Compiled
from api.service.deps import CacheDep, DatabaseDep
from api.service.errors import NotFoundError
from api.service.queries import load_round, version_key
from api.service.routes.rounds import Id, VersionNumber
from api.service.schemas import MAX_SHORTLIST, Candidate, ShortlistPublic, errors
from matcher.models import SCORE_NAMES
from matcher.shortlists import Shortlist

router = APIRouter(prefix="/rounds/{round_id}", tags=["shortlists"])

Key = Annotated[str, Path(min_length=1, max_length=200)]
K = Annotated[int, Query(ge=1, le=MAX_SHORTLIST, description="length of the shortlist")]


def _compiled(
    database: DatabaseDep, cache: CacheDep, round_id: int, version: int | None
) -> tuple[int, Compiled]:
    with database.read() as session:
        version_id, number = version_key(session, round_id, version)

    def load() -> Any:
        with database.read() as session:
            return load_round(session, version_id)

    return number, cache.get(version_id, load)


def _public(
    round_id: int, version: int, kind: Literal["package", "talent"], shortlist: Shortlist
) -> ShortlistPublic:
    scores = shortlist.score.tolist()
    parts = shortlist.components.tolist()
    return ShortlistPublic(
        round_id=round_id,
        version=version,
        owner=shortlist.owner,
        kind=kind,
        candidates=[
            Candidate(
                id=who,
                score=round(s, 4),
                parts=dict(zip(SCORE_NAMES, (round(x, 4) for x in part), strict=True)),
            )
            for who, s, part in zip(shortlist.partner_ids, scores, parts, strict=True)
        ],
    )


@router.get("/packages/{package}/shortlist", responses=errors(404, 422))
def package_shortlist(
    round_id: Id,
    package: Key,
    database: DatabaseDep,
    cache: CacheDep,
    k: K = 10,
    version: VersionNumber = None,
) -> ShortlistPublic:
    """The ``k`` best-scored eligible talents of a package, best first, with the score's
    parts."""
    number, entry = _compiled(database, cache, round_id, version)
    try:
        shortlist = entry.shortlists.for_package(package, k)
    except KeyError:
        raise NotFoundError("package", repr(package)) from None
    return _public(round_id, number, "package", shortlist)


@router.get("/talents/{talent}/shortlist", responses=errors(404, 422))
def talent_shortlist(
    round_id: Id,
    talent: Key,
    database: DatabaseDep,
    cache: CacheDep,
    k: K = 10,
    version: VersionNumber = None,
) -> ShortlistPublic:
    """The ``k`` best-scored eligible packages of a talent, best first."""
    number, entry = _compiled(database, cache, round_id, version)
    try:
        shortlist = entry.shortlists.for_talent(talent, k)
    except KeyError:
        raise NotFoundError("talent", repr(talent)) from None
    return _public(round_id, number, "talent", shortlist)
