"""Alembic's entry: migrations run on the connection the service hands over
(:meth:`api.service.database.Database.migrate`), in batch mode so that SQLite can alter
tables."""

from __future__ import annotations

from alembic import context

from api.service import consent_tables  # noqa: F401  (its tables join Base's metadata)
from api.service.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
