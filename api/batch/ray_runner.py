"""Ray: tasks on a local Ray instance (``--ray auto``) or on a cluster (``--ray ADDRESS``).

Ray is an optional extra (``pip install 'cosource[ray]'``), imported only here and only when
asked for. Each task asks Ray for as many CPUs as it uses (:attr:`api.batch.tasks.Task.cpus`),
so that Ray runs side by side only what the machines' cores hold. Ray does not retry a task
itself: the runner retries a failed task once, as with the process pool, so that both count
attempts the same way. A task ships its round and parameters (cloudpickled by Ray), never a
compiled model.

A cluster's address is checked before Ray is asked to join it: an address where nothing
answers within :data:`CONNECT_SECONDS` is refused at once with one message.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import threading
from typing import Any

from api.batch.backend import Finished, TaskFunction
from api.batch.tasks import Task, TaskResult, run_task
from matcher.errors import RoundError

CONNECT_SECONDS = 5.0
"""How long a cluster's address gets to answer."""
JOIN_SECONDS = 15.0
"""How long joining a cluster that answers may take."""
RAY_HINT = "pip install 'cosource[ray]'"


class RayUnavailableError(RoundError):
    """Ray is not installed, or the cluster's address does not answer."""


def _call(run: TaskFunction, task: Task) -> TaskResult:
    """What a Ray worker runs: ``run`` on ``task``."""
    return run(task)


class RayBackend:
    """A :class:`~api.batch.backend.Backend` on Ray.

    Parameters
    ----------
    address
        ``auto`` starts a local Ray instance of ``cpus`` CPUs (all the machine's when None);
        ``HOST:PORT`` or ``ray://HOST:PORT`` joins a running cluster. When Ray is already
        initialised in this process (a test's fixture), it is used as it is.
    cpus
        CPUs of a local instance.
    run
        The function each task runs (:func:`api.batch.tasks.run_task`).

    Raises
    ------
    RayUnavailableError
        If Ray is not installed, or nothing answers at ``address``.
    """

    name = "Ray"

    def __init__(self, address: str, cpus: int | None = None, run: TaskFunction = run_task):
        try:
            import ray
        except ImportError:
            raise RayUnavailableError(f"--ray needs Ray, an optional extra: {RAY_HINT}") from None
        self.ray: Any = ray
        self.run = run
        self.started_here = False
        self.pending: set[object] = set()
        if not ray.is_initialized():
            if address == "auto":
                ray.init(
                    address="local",
                    num_cpus=cpus or os.cpu_count() or 1,
                    include_dashboard=False,
                    logging_level=logging.WARNING,
                    log_to_driver=False,
                )
            else:
                check_address(address)
                _join(ray, address)
            self.started_here = True
        self.name = "local Ray" if address == "auto" else f"Ray at {address}"
        self.remote = ray.remote(max_retries=0)(_call)
        self.total_cpus = max(self.cpus(), 1)

    def cpus(self) -> int:
        """The CPUs of the Ray instance or cluster."""
        return int(self.ray.cluster_resources().get("CPU", 0))

    def submit(self, task: Task) -> object:
        # a task asking for more CPUs than Ray has would wait for ever: it gets them all
        cpus = min(task.cpus, self.total_cpus)
        ref = self.remote.options(num_cpus=cpus).remote(self.run, task)
        self.pending.add(ref)
        return ref

    def wait(self, handles: list[object]) -> list[Finished]:
        ready, _ = self.ray.wait(handles, num_returns=1)
        finished: list[Finished] = []
        for ref in ready:
            self.pending.discard(ref)
            try:
                finished.append((ref, self.ray.get(ref)))
            except Exception as exc:
                # a task's own error comes wrapped: keep the original, it says what went wrong
                cause = getattr(exc, "cause", None)
                finished.append((ref, cause if isinstance(cause, BaseException) else exc))
        return finished

    def close(self, cancel: bool = False) -> None:
        if cancel and self.ray.is_initialized():
            for ref in self.pending:
                self.ray.cancel(ref, force=True)
        if self.started_here:
            self.ray.shutdown()


def _join(ray: Any, address: str) -> None:
    """Join the cluster at ``address``, or refuse it when Ray has not joined within
    :data:`JOIN_SECONDS` (something answers there, but not a Ray head)."""
    failure: list[BaseException] = []

    def join() -> None:
        try:
            ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
        except Exception as exc:
            failure.append(exc)

    # a daemon thread: a join that hangs does not keep the command from exiting
    thread = threading.Thread(target=join, daemon=True)
    thread.start()
    thread.join(JOIN_SECONDS)
    if thread.is_alive() or failure:
        reason = f"no Ray answer within {JOIN_SECONDS:g} s" if not failure else str(failure[0])
        raise RayUnavailableError(f"--ray {address}: cannot join a Ray cluster there ({reason})")


def check_ray(address: str) -> None:
    """Refuse ``--ray address`` when Ray is not installed, or ``address`` is not ``auto``
    and no cluster answers there (:func:`check_address`)."""
    if importlib.util.find_spec("ray") is None:
        raise RayUnavailableError(f"--ray needs Ray, an optional extra: {RAY_HINT}")
    if address != "auto":
        check_address(address)


def check_address(address: str) -> None:
    """Refuse ``address`` (``HOST:PORT`` or ``ray://HOST:PORT``) when it is malformed or
    nothing accepts a connection there within :data:`CONNECT_SECONDS`."""
    where = address.removeprefix("ray://")
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise RayUnavailableError(
            f"--ray {address}: not an address; give auto (a local Ray) or HOST:PORT of a "
            "Ray cluster's head"
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError | socket.timeout):
            reason = f"no answer within {CONNECT_SECONDS:g} s"
        raise RayUnavailableError(
            f"--ray {address}: no Ray cluster answers there ({reason}); start one with "
            "'ray start --head', or give --ray auto for a local Ray"
        ) from None


__all__ = ["CONNECT_SECONDS", "RayBackend", "RayUnavailableError", "check_address", "check_ray"]
