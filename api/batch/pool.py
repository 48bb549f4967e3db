"""The local process pool: tasks side by side in processes of this machine.

Workers are started with ``spawn``: a fresh interpreter, not a fork of a process that may
hold OR-Tools' threads. A worker that dies (killed, out of memory) breaks the pool: every
task then running ends with the error, and a new pool takes the next tasks (the runner
retries each failed task once).

A Ctrl-C is the batch's to handle, not the workers': in a terminal it reaches every process of
the group, and a worker would die of it in the middle of a task. Workers ignore SIGINT; the
interrupted batch ends them (:meth:`ProcessPool.close` with ``cancel``) and waits for them,
so that none outlives it holding its standard output and error open.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import cast

from api.batch.backend import Finished, TaskFunction
from api.batch.tasks import Task, TaskResult, run_task

STOP_SECONDS = 5.0
"""How long an interrupted batch waits for its workers to end before it kills them."""


class ProcessPool:
    """A :class:`~api.batch.backend.Backend` of ``parallel`` local processes."""

    name = "process pool"

    def __init__(self, parallel: int, run: TaskFunction = run_task) -> None:
        self.parallel = parallel
        self.run = run
        self.executor = self._executor()
        # which pool each task went to: a task of a pool replaced already breaks nothing
        self.generation = 0
        self.generation_of: dict[Future[TaskResult], int] = {}

    def _executor(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(
            max_workers=self.parallel, mp_context=context, initializer=_ignore_interrupts
        )

    def _renew(self) -> None:
        """A new pool in place of a broken one."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._executor()
        self.generation += 1

    def submit(self, task: Task) -> object:
        with _spawning_without_interrupts():
            try:
                future = self.executor.submit(self.run, task)
            except BrokenProcessPool:
                # a worker died since the last wait (while another task ended): a new pool
                # takes this task, and the dead worker's task fails and is retried
                self._renew()
                future = self.executor.submit(self.run, task)
        self.generation_of[future] = self.generation
        return future

    def wait(self, handles: list[object]) -> list[Finished]:
        futures = cast(list[Future[TaskResult]], handles)
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        finished: list[Finished] = []
        broken = False
        for future in done:
            generation = self.generation_of.pop(future, None)
            error: BaseException | None = (
                CancelledError("its pool was replaced")
                if future.cancelled()
                else future.exception()
            )
            broken |= isinstance(error, BrokenProcessPool) and generation == self.generation
            finished.append((future, error if error is not None else future.result()))
        if broken:
            # a dead worker breaks the whole pool: the next tasks go to a new one
            self._renew()
        return finished

    def close(self, cancel: bool = False) -> None:
        if cancel:
            # the running solves are stopped, not waited for (an interrupted batch)
            processes = list((getattr(self.executor, "_processes", None) or {}).values())
            self.executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            _reap(processes)
            return
        self.executor.shutdown(wait=True)


@contextlib.contextmanager
def _spawning_without_interrupts() -> Iterator[None]:
    """SIGINT ignored in this process while it may start workers (a submit starts them), so
    that they start ignoring it: a Ctrl-C to the group in the second before a worker's
    initializer ran printed that worker's traceback. Only from the main thread, which alone
    may set handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignore_interrupts() -> None:
    """A worker's start: SIGINT ignored (the batch stops its workers itself)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _reap(processes: list[multiprocessing.process.BaseProcess]) -> None:
    """Wait for terminated workers up to :data:`STOP_SECONDS` in all, then kill those left."""
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(deadline - time.monotonic(), 0))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()


__all__ = ["ProcessPool"]
