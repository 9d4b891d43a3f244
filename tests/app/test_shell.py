"""The app shell: sign-in with argon2 hashes, and navigation by role."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import new_app, signed_in

ADMIN_PAGE = str(Path(__file__).resolve().parents[2] / "pages/admin/overview.py")


def _nav_titles(at) -> set[str]:
    return {link.label for link in at.get("page_link")} | set(_sidebar_text(at))


def _sidebar_text(at):
    return [m.value for m in at.sidebar.markdown]


def test_sign_in_page_shows_demo_accounts(app_env):
    at = new_app()
    at.run()
    assert not at.exception
    assert at.title[0].value == "AI Orchestrator"
    assert any("free@example.com" in i.value for i in at.info)


def test_wrong_password_is_a_clear_message(app_env):
    at = new_app()
    at.run()
    at.text_input(key="sign_in_email").input("free@example.com")
    at.text_input(key="sign_in_password").input("nope")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Wrong email or password."]
    assert "user" not in at.session_state


def test_user_signs_in_and_sees_only_user_pages(app_env):
    at = signed_in("free@example.com")
    assert not at.exception
    assert at.session_state["user"].email == "free@example.com"
    assert "Welcome, Frida" in at.title[0].value
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ADMIN_PAGE)  # not registered for this role


def test_admin_page_rechecks_role_on_the_server(app_env):
    """Even if a non-admin reaches an admin page script directly, it refuses."""
    from orchestrator.services.admin.users import get_user

    page = AppTest.from_file(ADMIN_PAGE, default_timeout=20)
    page.session_state["user"] = get_user(app_env, email="free@example.com")
    page.run()
    assert not page.exception
    assert [e.value for e in page.error] == ["You do not have access to this page."]
    assert not page.dataframe


def test_admin_sees_admin_pages(app_env):
    at = signed_in("admin@example.com")
    assert at.session_state["user"].is_admin
    at.switch_page(ADMIN_PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Admin overview"
