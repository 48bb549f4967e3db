"""``/``: the page, a static HTML, JavaScript and CSS client of the API.

The page needs no key to load: it holds no data. It calls the API with the key its user
pastes, so what it shows is exactly what that key may see. Left out of the OpenAPI
description: it is not part of the API.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.service.errors import NotFoundError

PAGE = Path(__file__).resolve().parent.parent / "page"
FILES = {
    "page.js": "text/javascript",
    "page.css": "text/css",
}
"""The page's assets by name, with their media types (nothing else is served)."""

router = APIRouter(include_in_schema=False)


@router.get("/")
def index() -> FileResponse:
    """The page."""
    return FileResponse(PAGE / "index.html", media_type="text/html")


@router.get("/page/{name}")
def asset(name: str) -> FileResponse:
    """One of the page's assets; a 404 for any other name."""
    if name not in FILES:
        raise NotFoundError("page file", repr(name))
    return FileResponse(PAGE / name, media_type=FILES[name])
