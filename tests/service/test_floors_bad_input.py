"""Bad floors and weights over HTTP: refused with 422 through the service's error path,
with the words of ``cosource check``, and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.service.settings import Settings
from tests.service.client import pilot_round, post_json, round_document, table_counts

ZERO_WEIGHTS = dict.fromkeys(
    ("strengths", "learning", "values", "context", "network", "preference", "cost"), 0
)


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        ({"floors": {"learning": {"share": 1.5}}}, ("field 'floors.learning.share'",)),
        ({"floors": {"strengths": {"share": -0.2}}}, ("field 'floors.strengths.share'",)),
        ({"floors": {"fun": {"share": 0.5}}}, ("unknown floor 'fun'",)),
        ({"weights": ZERO_WEIGHTS}, ("field 'weights'", "every score weight is 0")),
        (
            {"floors": {"cross_sector": {"share": 0.5}}, "one_sector": True},
            ("floors.cross_sector", "every lender and host is in one sector"),
        ),
    ],
)
def test_bad_floors_and_weights_are_422_and_store_nothing(
    client: TestClient, settings: Settings, policy: dict[str, Any], words: tuple[str, ...]
) -> None:
    document = round_document(pilot_round())
    policy = dict(policy)  # the parameter is shared by every database's run
    if policy.pop("one_sector", False):
        for org in document["organizations"]:
            org["sector"] = "one"
    document["policy"] = document["policy"] | policy
    before = table_counts(settings.database_url)
    response = post_json(client, document)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, (word, detail)
    assert table_counts(settings.database_url) == before
