"""The local process pool: tasks side by side in processes of this machine.

Workers are started with ``spawn``: a fresh interpreter, not a fork of a process that may
hold OR-Tools' threads. A worker that dies (killed, out of memory) breaks the pool: every
task then running ends with the error, and a new pool takes the next tasks (the runner
retries each failed task once).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import cast

from api.batch.backend import Finished, TaskFunction
from api.batch.tasks import Task, TaskResult, run_task


class ProcessPool:
    """A :class:`~api.batch.backend.Backend` of ``parallel`` local processes."""

    name = "process pool"

    def __init__(self, parallel: int, run: TaskFunction = run_task) -> None:
        self.parallel = parallel
        self.run = run
        self.executor = self._executor()

    def _executor(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=self.parallel, mp_context=context)

    def submit(self, task: Task) -> object:
        return self.executor.submit(self.run, task)

    def wait(self, handles: list[object]) -> list[Finished]:
        futures = cast(list[Future[TaskResult]], handles)
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        finished: list[Finished] = []
        broken = False
        for future in done:
            error = future.exception()
            broken |= isinstance(error, BrokenProcessPool)
            finished.append((future, error if error is not None else future.result()))
        if broken:
            # a dead worker breaks the whole pool: the next tasks go to a new one
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._executor()
        return finished

    def close(self, cancel: bool = False) -> None:
        if cancel:
            # the running solves are stopped, not waited for (an interrupted batch)
            processes = list(getattr(self.executor, "_processes", {}).values())
            self.executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            return
        self.executor.shutdown(wait=True)


__all__ = ["ProcessPool"]
