"""Solve jobs: a worker claims queued runs from the database (:mod:`.worker`) and solves each
in a child process of its own (:mod:`.child`)."""
