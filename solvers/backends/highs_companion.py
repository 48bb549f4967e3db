"""HiGHS's MIP solver in a process of its own, beside the CP-SAT search on the other core.

On some rounds HiGHS's branch and bound, with its cuts, finishes a few units better than
neighbourhood search with CP-SAT, on others the search is far better. Neither alone is at
least as good as the other everywhere; both at once are, each on one of the two cores (what
was measured: ``docs/solver-options.md``).

HiGHS runs on the round's model (:func:`solvers.model.build.build_spec`), from a start when
one is given (its ``setSolution``; the solve gives none, see
:class:`solvers.auto.phases.CompanionSlot`), through the HiGHS that SciPy ships: the ``highspy``
package crashes beside OR-Tools in one process, and :func:`scipy.optimize.milp` takes no
start nor callbacks. The process is ``python -m solvers.backends.highs_companion``, fed the
model's arrays on its standard input and answering on its standard output (NumPy's
``.npz``): unlike a :mod:`multiprocessing` child it does not re-import the caller's script,
so a script without a ``__main__`` guard, a notebook or a web server can solve rounds alike.
What it returns is checked like any other assignment.

While both search, the two sides trade solutions through a :class:`Mailbox` (a temporary
directory): HiGHS's callbacks post each improving solution it finds and hand it the latest
assignment offered (HiGHS asks for one at its setup, around its root node and before its
dives; it keeps an offered solution only when it is feasible and better). The neighbourhood
search takes HiGHS's solutions and offers its own (:class:`solvers.lns.Partner`), so each
goes on from the other's best: HiGHS's tree search prunes with the search's incumbent, and
the search improves HiGHS's solutions further (offering none, HiGHS posting only, did not
help).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from scipy.optimize._highspy import _core as highs_core  # type: ignore[import-untyped]

from solvers.backends.highs import HighsRun, combined_bound, constraint_matrix, edge_mask
from solvers.model.spec import ModelSpec
from solvers.problem import BoolArray

FloatArray = npt.NDArray[np.float64]

ROWWISE = 2
"""HiGHS's code of a row-wise (CSR) constraint matrix."""
MINIMIZE = 1
"""HiGHS's code of a minimization."""
COLLECT_SECONDS = 5.0
"""Longest wait for the process's answer beyond its own time limit (its start-up, about a
second, and the return of its arrays)."""
FOUND = "found.npy"
"""The mailbox's file of HiGHS's latest improving solution (every variable)."""
OFFERED = "offered.npy"
"""The mailbox's file of the latest assignment offered to HiGHS (every variable)."""


class Mailbox:
    """A directory through which the two processes pass solutions while both search.

    Each file holds the latest solution of one side, replaced whole (written beside it,
    then renamed over it), so a reader sees either the previous solution or the next one.
    A reader takes a file again only once it has been replaced.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: dict[str, tuple[int, int]] = {}

    def post(self, name: str, values: npt.ArrayLike) -> None:
        """Replace file ``name`` with ``values``."""
        draft = self.path / f"{name}.draft"
        with draft.open("wb") as stream:
            np.save(stream, np.asarray(values, dtype=np.float64))
        os.replace(draft, self.path / name)

    def fetch(self, name: str) -> FloatArray | None:
        """The values of file ``name`` when it was replaced since the last fetch, else None."""
        target = self.path / name
        try:
            stat = target.stat()
            # a new file each time: a new inode or a new modification time
            key = (stat.st_ino, stat.st_mtime_ns)
            if self._seen.get(name) == key:
                return None
            values = np.load(target)
        except (OSError, ValueError):
            # not there yet, or replaced while read: the next fetch takes it
            return None
        self._seen[name] = key
        return np.asarray(values, dtype=np.float64)


def _write(stream: IO[bytes], record: Any) -> None:
    """The fields of dataclass ``record`` as one ``.npz`` on ``stream``."""
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {name: np.asarray(value) for name, value in vars(record).items()}
    np.savez(buffer, **arrays)
    stream.write(buffer.getvalue())


def _read(data: bytes) -> dict[str, Any]:
    """The fields of one ``.npz``, zero-dimensional arrays as Python scalars."""
    with np.load(io.BytesIO(data)) as arrays:
        fields = {name: arrays[name] for name in arrays.files}
    return {name: value.item() if value.ndim == 0 else value for name, value in fields.items()}


@dataclass(frozen=True)
class _Model:
    """The arrays of one MIP: minimize ``cost . x`` within the rows and the bounds."""

    cost: FloatArray
    lo: FloatArray
    hi: FloatArray
    row_lo: FloatArray
    row_hi: FloatArray
    indptr: npt.NDArray[np.int32]
    indices: npt.NDArray[np.int32]
    data: FloatArray
    start: FloatArray
    deadline: float
    relative_gap: float


@dataclass(frozen=True)
class _Outcome:
    x: FloatArray
    dual_bound: float
    optimal: bool
    infeasible: bool
    message: str


def _exchange(mailbox: Mailbox) -> Any:
    """HiGHS's callback that posts each improving solution to ``mailbox`` and hands HiGHS
    the assignments offered there (HiGHS checks them and keeps them only when better)."""
    types = highs_core.cb.HighsCallbackType

    def callback(kind: int, message: str, out: Any, into: Any, user_data: Any) -> None:
        if kind == types.kCallbackMipImprovingSolution:
            mailbox.post(FOUND, out.mip_solution)
        elif kind == types.kCallbackMipUserSolution:
            offered = mailbox.fetch(OFFERED)
            if offered is not None:
                into.setSolution(offered)

    return callback


def _solve(model: _Model, mailbox: Mailbox | None = None) -> _Outcome:
    """Run HiGHS's MIP solver on ``model`` (in the companion process), exchanging
    solutions through ``mailbox`` when given."""
    highs = highs_core._Highs()
    highs.setOptionValue("output_flag", False)
    # the deadline is on the wall clock, which both processes share: the start-up counts
    highs.setOptionValue("time_limit", max(model.deadline - time.time(), 0.01))
    highs.setOptionValue("mip_rel_gap", model.relative_gap)
    # one thread: the other core is the CP-SAT search's
    highs.setOptionValue("threads", 1)
    infinity = highs.getInfinity()
    n_cols, n_rows = model.cost.size, model.row_lo.size
    highs.passModel(
        n_cols,
        n_rows,
        model.data.size,
        ROWWISE,
        MINIMIZE,
        0.0,
        model.cost,
        model.lo,
        model.hi,
        np.where(np.isfinite(model.row_lo), model.row_lo, -infinity),
        np.where(np.isfinite(model.row_hi), model.row_hi, infinity),
        model.indptr,
        model.indices,
        model.data,
        np.ones(n_cols, dtype=np.int32),
    )
    if model.start.size == n_cols:
        highs.setSolution(n_cols, np.arange(n_cols, dtype=np.int32), model.start)
    if mailbox is not None:
        types = highs_core.cb.HighsCallbackType
        highs.setCallback(_exchange(mailbox), None)
        highs.startCallback(types.kCallbackMipImprovingSolution)
        highs.startCallback(types.kCallbackMipUserSolution)
    highs.run()
    status = highs.getModelStatus()
    solution = highs.getSolution()
    info = highs.getInfo()
    valid = bool(solution.value_valid)
    return _Outcome(
        x=np.asarray(solution.col_value if valid else [], dtype=np.float64),
        dual_bound=float(info.mip_dual_bound),
        optimal=status == highs_core.HighsModelStatus.kOptimal,
        infeasible=status == highs_core.HighsModelStatus.kInfeasible,
        message=highs.modelStatusToString(status),
    )


class HighsCompanion:
    """One HiGHS run in its own process.

    Parameters
    ----------
    spec
        The model to solve (every variable integer).
    start
        A value per variable of ``spec`` that meets its rows (for example
        :func:`solvers.model.build.spec_hint` of an incumbent), or None.
    time_limit
        HiGHS's time limit, seconds.
    relative_gap
        HiGHS's ``mip_rel_gap``.
    bound_holds
        Whether HiGHS's bound on ``spec`` holds for the round (kept for the caller).
    """

    def __init__(
        self,
        spec: ModelSpec,
        start: npt.ArrayLike | None,
        time_limit: float,
        relative_gap: float = 0.0,
        bound_holds: bool = False,
    ) -> None:
        rows = constraint_matrix(spec)
        matrix = rows.A.tocsr()
        model = _Model(
            cost=-spec.objective_coef.astype(np.float64),
            lo=np.asarray(spec.lo, dtype=np.float64),
            hi=np.asarray(spec.hi, dtype=np.float64),
            row_lo=np.asarray(rows.lb, dtype=np.float64),
            row_hi=np.asarray(rows.ub, dtype=np.float64),
            indptr=matrix.indptr.astype(np.int32),
            indices=matrix.indices.astype(np.int32),
            data=matrix.data.astype(np.float64),
            start=np.asarray([] if start is None else start, dtype=np.float64),
            deadline=time.time() + time_limit,
            relative_gap=relative_gap,
        )
        self.spec = spec
        self.time_limit = time_limit
        self.bound_holds = bound_holds
        self.collected = False
        # removed by close(), like the answer: both outlive this call
        self._directory = tempfile.TemporaryDirectory(prefix="cosource-highs-")
        self._mailbox = Mailbox(Path(self._directory.name))
        # files, not pipes: neither side waits for the other to read (the process imports
        # its modules for about a second before it reads the model)
        with tempfile.TemporaryFile() as model_file:
            _write(model_file, model)
            model_file.seek(0)
            self._answer = tempfile.TemporaryFile()  # noqa: SIM115
            self._process = subprocess.Popen(
                [sys.executable, "-m", "solvers.backends.highs_companion", self._directory.name],
                stdin=model_file,
                stdout=self._answer,
                stderr=subprocess.DEVNULL,
            )

    def found(self) -> BoolArray | None:
        """HiGHS's latest improving solution as a mask over the edges, when it found one
        since the last call (None otherwise, or once ended)."""
        if self._answer.closed:
            return None
        values = self._mailbox.fetch(FOUND)
        if values is None or values.size != self.spec.n_vars:
            return None
        return edge_mask(self.spec, values)

    def offer(self, values: npt.ArrayLike) -> None:
        """Hand HiGHS a solution, a value per variable of the model (for example
        :func:`solvers.model.build.spec_hint` of a better incumbent); HiGHS takes it at its next
        check, when it is better than its own."""
        if not self._answer.closed and self.running():
            self._mailbox.post(OFFERED, values)

    def running(self) -> bool:
        """Whether HiGHS is still searching (it stops at its time limit, or earlier once it
        has proven its solution optimal)."""
        return self._process.poll() is None

    def collect(self) -> HighsRun | None:
        """HiGHS's answer (waiting for it up to its time limit and
        :data:`COLLECT_SECONDS`), or None when none came; the process ends either way."""
        self.collected = True
        if self._answer.closed:
            # ended by close() before its answer was read
            return None
        try:
            self._process.wait(timeout=self.time_limit + COLLECT_SECONDS)
        except subprocess.TimeoutExpired:
            self.close()
            return None
        self._answer.seek(0)
        answer = self._answer.read()
        self.close()
        if self._process.returncode != 0 or not answer:
            # the process died without an answer (killed, out of memory)
            return None
        outcome = _Outcome(**_read(answer))
        return HighsRun(
            chosen=edge_mask(self.spec, outcome.x) if outcome.x.size else None,
            bound=combined_bound(self.spec, outcome.dual_bound),
            proven=outcome.optimal,
            infeasible=outcome.infeasible,
            message=outcome.message,
        )

    def close(self) -> None:
        """End the process, running or not."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._answer.close()
        self._directory.cleanup()


def main() -> None:
    """The companion process: a model on standard input, its outcome on standard output,
    and the mailbox's directory as its argument, when given."""
    mailbox = Mailbox(Path(sys.argv[1])) if len(sys.argv) > 1 else None
    _write(sys.stdout.buffer, _solve(_Model(**_read(sys.stdin.buffer.read())), mailbox))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
