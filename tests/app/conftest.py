"""AppTest fixtures: the app runs against a fresh test database with the demo accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import TEST_MASTER_KEY


@pytest.fixture
def app_env(database_url, tmp_path, monkeypatch):
    """Point the app at the test database; the cached Orchestrator is rebuilt per test."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", TEST_MASTER_KEY)
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(tmp_path))
    from orchestrator import Orchestrator
    from orchestrator.seeding.demo import _accounts

    orch = Orchestrator(database_url=database_url)
    _accounts(orch)
    import streamlit as st

    from orchestrator.http import shared

    st.cache_resource.clear()
    shared.release()  # the app makes its own (the process's shared one) from the environment
    yield orch
    st.cache_resource.clear()  # releases the app's orchestrator
    shared.release()
    orch.close()


APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=20)


def session_for(email: str) -> str:
    """A session token for ``email``, made by the service, as ``POST /auth/sign-in`` would."""
    from orchestrator.http import shared
    from orchestrator.services.admin.users import get_user
    from orchestrator.services.user import sessions

    orch = shared.orchestrator()  # the app's own (same database as app_env's)
    return sessions.create_session(orch, user_id=get_user(orch, email=email).id)[0]


def signed_in(email: str) -> AppTest:
    """The app for a visitor who signed in on the sign-in page: its session token is where the
    browser's cookie would put it (this tab's session state), then the app runs."""
    at = new_app()
    at.session_state["session_token"] = session_for(email)
    at.run()
    return at
