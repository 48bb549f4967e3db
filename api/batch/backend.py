"""What the runner needs of a place to run tasks: the local process pool
(:mod:`api.batch.pool`) or Ray (:mod:`api.batch.ray_runner`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from api.batch.tasks import Task, TaskResult

TaskFunction = Callable[[Task], TaskResult]
"""What a backend runs on each task: :func:`api.batch.tasks.run_task`."""
Finished = tuple[object, TaskResult | BaseException]
"""A handle of a task that ended, with its result or the error that ended it."""


class Backend(Protocol):
    """Runs tasks side by side and reports each as it ends."""

    name: str

    def submit(self, task: Task) -> object:
        """Start ``task``; returns its handle."""

    def wait(self, handles: list[object]) -> list[Finished]:
        """Block until at least one of ``handles`` has ended; return those that have."""

    def close(self, cancel: bool = False) -> None:
        """Release the backend; with ``cancel``, stop the tasks still running."""


__all__ = ["Backend", "Finished", "TaskFunction"]
