"""The app shell: the signed-out screen, and navigation by role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import new_app, signed_in

ADMIN_PAGE = str(Path(__file__).resolve().parents[2] / "pages/admin/overview.py")


def _nav_titles(at) -> set[str]:
    return {link.label for link in at.get("page_link")} | set(_sidebar_text(at))


def _sidebar_text(at):
    return [m.value for m in at.sidebar.markdown]


def _sign_in_links(at) -> list[str]:
    """The hrefs of the signed-out screen's "Sign in" links."""
    return re.findall(r'href="([^"]+)"[^>]*>Sign in</a>', " ".join(h.proto.body for h in at.get("html")))


def test_a_signed_out_visit_shows_the_sign_in_link(app_env):
    """Signing in happens on the server's page; the app itself only links to it."""
    at = new_app()
    at.run()
    assert not at.exception
    assert at.title[0].value == "AI Orchestrator"
    assert _sign_in_links(at) == ["/auth/sign-in"]
    assert "user" not in at.session_state
    assert not at.text_input  # no password form in the app any more


def test_a_session_ending_on_a_deep_page_keeps_the_page_and_shows_no_page_not_found(app_env, monkeypatch):
    """A tab on My documents whose session ends stays on /documents, shows the signed-out
    screen there (not a "Page not found" dialog), and its link signs in back to /documents."""
    import streamlit.commands.navigation as navigation

    from orchestrator.services.user import sessions

    not_found = []
    monkeypatch.setattr(navigation, "send_page_not_found", lambda ctx: not_found.append(ctx))
    at = signed_in("free@example.com")
    at.switch_page("pages/user/documents.py").run()
    assert at.title[0].value == "My documents"
    sessions.revoke_session(app_env, at.session_state["session_token"])
    at.run()
    assert not at.exception
    assert at.title[0].value == "AI Orchestrator"
    assert _sign_in_links(at) == ["/auth/sign-in?next=/documents"]
    assert not_found == []


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
