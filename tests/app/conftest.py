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

    st.cache_resource.clear()
    yield orch
    st.cache_resource.clear()
    orch.close()


APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=20)


def signed_in(email: str) -> AppTest:
    at = new_app()
    at.run()
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input("demo")
    at.button[0].click()
    at.run()
    return at
