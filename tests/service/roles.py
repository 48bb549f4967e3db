"""A service with a key for every role of a round, for the access and consent tests.

:func:`open_service` builds the app on a database, creates a coordinator key straight in the
database (as ``cosource keys create`` does), uploads a round, and gives every organization
of the round its host or lender key and every talent its key, through ``POST /keys``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from api.service.app import create_app
from api.service.database import Database
from api.service.jobs.worker import Worker
from api.service.keys import Role, create_key
from api.service.settings import Settings
from matcher.models import Round


@dataclass
class Service:
    """A test client, its settings, and keys by role and subject."""

    client: TestClient
    settings: Settings
    coordinator: str
    hosts: dict[str, str] = field(default_factory=dict)
    lenders: dict[str, str] = field(default_factory=dict)
    talents: dict[str, str] = field(default_factory=dict)

    def as_(self, key: str | None) -> dict[str, str]:
        """The headers of a request made with ``key`` (none without)."""
        return {} if key is None else {"Authorization": f"Bearer {key}"}

    def get(self, path: str, key: str | None, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.as_(key), **kwargs)

    def post(self, path: str, key: str | None, **kwargs: Any) -> Any:
        return self.client.post(path, headers=self.as_(key), **kwargs)

    def solve(self, round_id: int, **params: Any) -> int:
        """Start a run of round ``round_id`` and solve it with a real worker; its id."""
        body = {"time_limit": 3, "workers": 1, **params}
        answer = self.post(f"/rounds/{round_id}/runs", self.coordinator, json=body)
        assert answer.status_code == 202, answer.text
        run_id: int = answer.json()["id"]
        Worker(self.settings).run_once()
        state = self.get(f"/runs/{run_id}", self.coordinator).json()
        assert state["status"] == "solved", state
        return run_id


def new_key(service: Service, role: str, **subject: str) -> str:
    answer = service.post("/keys", service.coordinator, json={"role": role, **subject})
    assert answer.status_code == 201, answer.text
    key: str = answer.json()["key"]
    return key


@contextmanager
def open_service(url: str, round_: Round, **settings: Any) -> Iterator[tuple[Service, int]]:
    """The service on ``url`` with ``round_`` uploaded (its id) and every role's keys."""
    config = Settings(
        database_url=url,
        heartbeat_seconds=0.2,
        poll_seconds=0.05,
        incumbent_seconds=0.2,
        **settings,
    )
    database = Database(url)
    database.migrate()
    with database.write() as session:
        coordinator, _ = create_key(session, Role.COORDINATOR, label="tests")
    database.dispose()
    with TestClient(create_app(config), raise_server_exceptions=False) as client:
        service = Service(client, config, coordinator)
        answer = service.post("/rounds", coordinator, json=round_.model_dump(mode="json"))
        assert answer.status_code == 201, answer.text
        round_id: int = answer.json()["id"]
        for org in round_.organizations:
            if org.hosts:
                service.hosts[org.id] = new_key(service, "host", organization=org.id)
            if org.lends:
                service.lenders[org.id] = new_key(service, "lender", organization=org.id)
        for talent in round_.talents:
            service.talents[talent.id] = new_key(service, "talent", talent=talent.id)
        yield service, round_id
