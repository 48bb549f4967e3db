"""A solved round as the rows and documents a run stores (:class:`api.service.runs.Finished`)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from api.pipeline import RoundOutcome, RoundParams
from api.service.runs import Finished, RunStatus
from matcher.report import placements_frame
from solvers.result import SolveParams

BLOCKING_COLUMNS = ["talent", "package", "lender", "host", "score"]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-safe dicts (dates as ISO text, NaN as null)."""
    rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return rows


def finished_of(outcome: RoundOutcome, status: str | None = None, detail: str = "") -> Finished:
    """How a run ends with ``outcome``: ``status`` when given (``cancelled``), else solved
    or no solution."""
    if status is None:
        status = RunStatus.SOLVED if outcome.solved else RunStatus.NO_SOLUTION
    kpis = outcome.kpis_document()
    blocking: list[dict[str, Any]] = []
    if outcome.blocking_pairs is not None:
        frame = placements_frame(outcome.compiled, outcome.blocking_pairs)
        blocking = records(frame[BLOCKING_COLUMNS])
    result = outcome.result_document().model_dump(mode="json")
    objective = result.get("objective") or {}
    progress = {
        "phase": "done",
        "solver": result.get("solver"),
        "elapsed": round(outcome.result.wall_time + outcome.compile_seconds, 3),
        "placements": result.get("placements"),
        "placement_bound": result.get("placement_bound"),
        "objective": objective.get("value"),
        "bound": result.get("bound"),
        "gap": result.get("gap"),
    }
    return Finished(
        status=status,
        result=result,
        progress=progress,
        kpis=None if kpis is None else kpis.model_dump(mode="json"),
        summary=outcome.summary(),
        placements=records(outcome.placements()) if outcome.solved else [],
        unplaced=records(outcome.unplaced()) if outcome.solved else [],
        blocking_pairs=blocking,
        detail=detail,
    )


def round_params(params: dict[str, Any], time_limit: float) -> RoundParams:
    """The pipeline's parameters of a run's stored ``params``."""
    return RoundParams(
        method=str(params["method"]),
        solve=SolveParams(
            time_limit=time_limit,
            workers=int(params["workers"]),
            seed=int(params["seed"]),
            relative_gap=float(params["gap"]),
        ),
        blocking_pairs=bool(params["blocking_pairs"]),
    )
