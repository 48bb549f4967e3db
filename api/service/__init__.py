"""The HTTP service: FastAPI routes over the round pipeline, on SQLite or PostgreSQL, with solve
jobs run by worker processes (see :mod:`api.service.app` and :mod:`api.service.jobs`)."""
