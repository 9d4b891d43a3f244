"""API fixtures: the ASGI apps in-process, on the test database (SQLite and PostgreSQL),
with the demo accounts and personal tokens made through the real service.

``api`` is a Starlette ``TestClient`` on ``/api/v1`` (``create_api()``), ``gateway``
one on ``/v1`` (``create_gateway()``); both run the real routes, services and
pipeline against the test database through ``orchestrator.http.shared``.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def api_orch(demo_users):
    """The test orchestrator, installed as the process's shared one for the routes."""
    from orchestrator.http import shared

    shared.install(demo_users)
    yield demo_users
    shared.install(None)


@pytest.fixture
def token_for(api_orch):
    """``token_for(email)`` -> a fresh personal token (plaintext) for that user."""
    from orchestrator.services.admin.users import get_user
    from orchestrator.services.user import api_tokens

    def make(email: str = "free@example.com", **kwargs) -> str:
        return api_tokens.create_token(api_orch, user_id=get_user(api_orch, email=email).id, **kwargs).token

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(api_orch):
    from starlette.testclient import TestClient

    from orchestrator.http.api import create_api

    with TestClient(create_api(), base_url="http://testserver/api/v1", root_path="/api/v1",
                    raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def gateway(api_orch):
    from starlette.testclient import TestClient

    from orchestrator.http.gateway import create_gateway

    with TestClient(create_gateway(), base_url="http://testserver/v1", root_path="/v1",
                    raise_server_exceptions=False) as client:
        yield client
