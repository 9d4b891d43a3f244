"""The browser session in a real browser against `streamlit run app.py`: the session cookie
is HttpOnly and SameSite=Strict (no script can read it), a deep link opened signed out
lands on its page after signing in with no "Page not found" on the way, reloads and other
tabs stay signed in, and signing out in one tab ends the session in all of them.
Screenshots of the sign-in page go to artifacts/browser/session_*.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _settle(page) -> None:
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)


def _session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "orch_session"), None)


def _no_page_not_found(page) -> None:
    _settle(page)
    page.wait_for_timeout(700)  # the dialog would have opened by now
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("dialog").count() == 0


def test_a_deep_link_lands_on_its_page_after_signing_in(app_url, context, artifacts: Path):
    # first in the module: on a fresh server this is its first Streamlit session (see app.py)
    page = context.new_page()
    sign_in(page, f"{app_url}/documents")  # opens /documents, is sent to sign in, signs in
    page.wait_for_url(f"{app_url}/documents")
    page.get_by_role("heading", name="My documents").wait_for()
    _no_page_not_found(page)
    page.screenshot(path=str(artifacts / "session_deep_link.png"))


def test_the_sign_in_page_and_a_wrong_password(app_url, context, artifacts: Path):
    page = context.new_page()
    page.goto(app_url)
    page.wait_for_url("**/auth/sign-in**")
    page.get_by_role("heading", name="AI Orchestrator").wait_for()
    page.get_by_text("Demo accounts: free@example.com").wait_for()
    page.screenshot(path=str(artifacts / "session_sign_in.png"))
    page.get_by_label("Email").fill("free@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").get_by_text("Wrong email or password.").wait_for()
    assert page.get_by_label("Email").input_value() == "free@example.com"
    assert _session_cookie(context) is None
    page.screenshot(path=str(artifacts / "session_wrong_password.png"))


def test_the_session_cookie_is_httponly_and_strict(app_url, context):
    page = context.new_page()
    sign_in(page, app_url)
    page.get_by_role("heading", name="Welcome, Frida").wait_for()
    cookie = _session_cookie(context)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["secure"] is False  # plain http on loopback; https adds Secure
    assert "orch_session" not in page.evaluate("document.cookie")
    assert cookie["value"] not in page.url and cookie["value"] not in page.content()


def test_reload_tabs_and_sign_out_everywhere(app_url, context, artifacts: Path):
    page = context.new_page()
    sign_in(page, f"{app_url}/plan")
    page.get_by_role("heading", name="Plan and usage").wait_for()
    page.reload()
    page.get_by_role("heading", name="Plan and usage").wait_for()
    other = context.new_page()
    other.goto(f"{app_url}/profile")
    other.get_by_role("heading", name="Profile").first.wait_for()
    _settle(other)

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda u: u.endswith("/auth/sign-in?signed_out=1"))  # through POST /auth/sign-out
    page.get_by_text("You have signed out.").wait_for()
    assert _session_cookie(context) is None  # deleted by the sign-out route
    page.screenshot(path=str(artifacts / "session_signed_out.png"))
    page.reload()
    page.get_by_role("button", name="Sign in").wait_for()

    # The other tab is still open: its next interaction finds the session gone and shows the
    # signed-out screen (no "Page not found"), whose link leads to the sign-in page and back.
    other.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Home").click()
    other.get_by_text("Sign in to continue").wait_for()
    _no_page_not_found(other)
    other.screenshot(path=str(artifacts / "session_ended.png"))
    other.get_by_role("link", name="Sign in").click()
    other.wait_for_url("**/auth/sign-in**")
    other.get_by_label("Email").fill("free@example.com")
    other.get_by_label("Password").fill("demo")
    other.get_by_role("button", name="Sign in").click()
    other.get_by_role("heading", name="Welcome, Frida").wait_for()
