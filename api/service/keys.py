"""API keys: a random secret with a public prefix for lookup, stored as its SHA-256 only,
compared in constant time, revocable, with the time it was last used.

A key reads ``cs_<prefix>_<secret>``: the prefix (8 hex digits) finds the row, the SHA-256
of the whole key must match its digest. A secret of 256 random bits needs no slow hash: no
dictionary holds it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.service.consent_tables import ApiKeyRow
from api.service.errors import ConflictError, NotFoundError
from api.service.tables import utc_now

KEY_PATTERN = re.compile(r"^cs_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
LAST_USED_SECONDS = 60.0
"""A key's last-used time is written at most this often (a write per request would make
every read a write)."""


class Role(StrEnum):
    """Who a key speaks for."""

    COORDINATOR = "coordinator"
    HOST = "host"
    LENDER = "lender"
    TALENT = "talent"


@dataclass(frozen=True)
class Caller:
    """Whoever sent a request: the role, the organization (host, lender) or talent it
    speaks for, and the key's prefix (how the audit log names it)."""

    role: Role
    organization: str | None = None
    talent: str | None = None
    key: str = ""

    @property
    def coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    def name(self) -> str:
        """How the audit log names the caller."""
        whose = self.organization or self.talent
        return f"{self.role} {whose} (key {self.key})" if whose else f"{self.role} (key {self.key})"


class ApiKeyError(ValueError):
    """A key that is missing, malformed, unknown or revoked: 401."""


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_subject(role: Role, organization: str | None, talent: str | None) -> None:
    """A key names exactly what its role needs: an organization for a host or lender, a
    talent for a talent, nothing for the coordinator."""
    if role in (Role.HOST, Role.LENDER) and (not organization or talent):
        raise ValueError(f"a {role} key names an organization (--org), and no talent")
    if role == Role.TALENT and (not talent or organization):
        raise ValueError("a talent key names a talent (--talent), and no organization")
    if role == Role.COORDINATOR and (organization or talent):
        raise ValueError("a coordinator key names no organization and no talent")


def create_key(
    session: Session,
    role: Role,
    organization: str | None = None,
    talent: str | None = None,
    label: str = "",
    created_by: str = "",
) -> tuple[str, ApiKeyRow]:
    """A new key: the key itself (shown once) and its stored row."""
    check_subject(role, organization, talent)
    while True:
        prefix = secrets.token_hex(4)
        if session.scalar(select(ApiKeyRow.id).where(ApiKeyRow.prefix == prefix)) is None:
            break
    key = f"cs_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKeyRow(
        prefix=prefix,
        digest=digest(key),
        role=str(role),
        organization=organization,
        talent=talent,
        label=label,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return key, row


def caller_of(session: Session, key: str) -> tuple[Caller, ApiKeyRow]:
    """The caller a key speaks for; :class:`ApiKeyError` when it is malformed, unknown or
    revoked (one message for the last two: a guess learns nothing)."""
    match = KEY_PATTERN.match(key)
    if match is None:
        raise ApiKeyError("malformed API key: expected cs_<8 hex digits>_<43 characters>")
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == match.group(1)))
    # compare even when there is no row, so that timing tells nothing either
    stored = row.digest if row is not None else "0" * 64
    if not hmac.compare_digest(stored, digest(key)) or row is None or row.revoked_at:
        raise ApiKeyError("unknown or revoked API key")
    caller = Caller(Role(row.role), row.organization, row.talent, row.prefix)
    return caller, row


def touch(session: Session, prefix: str) -> None:
    """Record that the key was used now."""
    session.execute(
        update(ApiKeyRow).where(ApiKeyRow.prefix == prefix).values(last_used_at=utc_now())
    )


def revoke(session: Session, prefix: str) -> ApiKeyRow:
    """Revoke the key ``prefix``; a revoked key stays listed, with its time."""
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))
    if row is None:
        raise NotFoundError("API key", prefix)
    if row.revoked_at is not None:
        raise ConflictError(
            f"API key {prefix} was already revoked at {row.revoked_at:%Y-%m-%d %H:%M} UTC"
        )
    row.revoked_at = utc_now()
    return row


def list_keys(session: Session) -> list[ApiKeyRow]:
    return list(session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id)))
