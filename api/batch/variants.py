"""A scenario's round: the round file or the generated round, with the scenario's policy
overrides and scale factors applied, checked as ``cosource solve`` checks a round."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from api.batch.settings import SCALED, Generate
from matcher.costs import forced_over_budget
from matcher.errors import RoundError
from matcher.models import MAX_BUDGET, Organization, Policy, Round


def generated_round(generate: Generate) -> Round:
    """The seeded synthetic round ``generate`` describes."""
    from matcher.generator import generate_round

    return generate_round(generate.talents, generate.packages, seed=generate.seed)


def varied_round(round_: Round, policy: dict[str, Any], scale: dict[str, float]) -> Round:
    """``round_`` with the policy fields of ``policy`` replaced and its money limits
    multiplied by ``scale`` (:data:`api.batch.settings.SCALED`).

    Raises
    ------
    RoundError
        If the policy that results is impossible (a field out of range, ``max_age`` below
        ``min_age``), a scaled limit is above the largest handled, or the pinned and
        accepted placements no longer fit; the message names the field.
    """
    varied = round_.model_copy(update={"policy": varied_policy(round_.policy, policy)})
    if scale:
        varied = _scaled(varied, scale)
    over = varied.over_capacity() + forced_over_budget(varied)
    if over:
        raise RoundError("; ".join(over))
    return varied


def varied_policy(policy: Policy, overrides: dict[str, Any]) -> Policy:
    """``policy`` with ``overrides`` applied, validated as a whole."""
    if not overrides:
        return policy
    values = policy.model_dump() | overrides
    if "weights" in overrides:
        # named weights replace those of the round; the others keep theirs
        values["weights"] = policy.weights | overrides["weights"]
    try:
        return Policy.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        where = f"field 'policy.{field}'" if field else "field 'policy'"
        raise RoundError(f"{where}: {error['msg'].removeprefix('Value error, ')}") from None


def _scaled(round_: Round, scale: dict[str, float]) -> Round:
    """``round_`` with its subsidy pool and organizations' budgets multiplied."""
    policy = round_.policy
    if "subsidy_pool" in scale and policy.subsidy_pool is not None:
        pool = _limit(policy.subsidy_pool * scale["subsidy_pool"], "subsidy_pool")
        policy = policy.model_copy(update={"subsidy_pool": pool})
    organizations = [_scaled_organization(org, scale) for org in round_.organizations]
    return round_.model_copy(update={"policy": policy, "organizations": organizations})


def _scaled_organization(org: Organization, scale: dict[str, float]) -> Organization:
    update: dict[str, float] = {}
    for field, key in (("topup_budget", "topup_budgets"), ("hiring_budget", "hiring_budgets")):
        value = getattr(org, field)
        if key in scale and value is not None:
            update[field] = _limit(value * scale[key], key)
    return org.model_copy(update=update) if update else org


def _limit(value: float, key: str) -> float:
    if value > MAX_BUDGET:
        raise RoundError(
            f"field 'scale.{key}': the {SCALED[key]} would be {value:,.0f}, above the largest "
            f"budget handled, {MAX_BUDGET:,}"
        )
    return round(value, 2)


__all__ = ["generated_round", "varied_policy", "varied_round"]
