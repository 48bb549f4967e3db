"""The service's settings, read from the environment (``COSOURCE_*``) once at start."""

from __future__ import annotations

import datetime as dt

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///cosource.db"
"""A file in the working folder: the service runs with no set-up."""


class Settings(BaseSettings):
    """Where the data lives and how jobs run.

    Attributes
    ----------
    database_url
        SQLAlchemy URL; ``COSOURCE_DATABASE_URL``. ``postgresql://...`` uses psycopg 3.
    max_upload_bytes
        Largest request body accepted (413 above it).
    lease_seconds
        How long a worker's claim on a run holds without a heartbeat; a run whose lease
        expired is taken again by the next worker that looks.
    heartbeat_seconds
        How often a worker renews its lease and looks for a cancel request.
    incumbent_seconds
        Least time between two stored incumbents of one run (progress is stored as often).
    poll_seconds
        How often an idle worker looks for queued runs.
    shortlist_cache
        Compiled rounds kept in memory for shortlists and why-not.
    today
        The date tours are staged by (agreed, active, completed); None: the real date.
        For demonstrations and tests.
    """

    model_config = SettingsConfigDict(env_prefix="COSOURCE_")

    database_url: str = DEFAULT_DATABASE_URL
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1024)
    lease_seconds: float = Field(default=30.0, gt=0)
    heartbeat_seconds: float = Field(default=2.0, gt=0)
    incumbent_seconds: float = Field(default=1.0, ge=0)
    poll_seconds: float = Field(default=0.5, gt=0)
    shortlist_cache: int = Field(default=2, ge=1, le=64)
    today: dt.date | None = None

    def date(self) -> dt.date:
        """The date tours are staged by."""
        return self.today or dt.date.today()
