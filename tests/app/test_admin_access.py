"""Every admin page re-checks the role on the server: a signed-in non-admin who reaches a
page script directly is refused, and the navigation never lists admin pages for them."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.admin_helpers import ADMIN_PAGES, add_plain_admin, no_errors
from tests.app.conftest import signed_in
from tests.support import operator


@pytest.mark.parametrize("page", sorted(ADMIN_PAGES))
def test_non_admin_is_refused_on_every_admin_page(app_env, page):
    from orchestrator.services.admin.users import get_user

    at = AppTest.from_file(ADMIN_PAGES[page], default_timeout=30)
    at.session_state["user"] = get_user(app_env, email="paygo@example.com")
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.dataframe and not at.metric and not at.button and not at.text_input


def test_demoted_admin_is_refused_on_the_next_run(app_env):
    """The role is read from the database on every run, not from the session."""
    from orchestrator.services.admin.users import get_user, set_role

    add_plain_admin(app_env)
    at = AppTest.from_file(ADMIN_PAGES["users"], default_timeout=30)
    at.session_state["user"] = get_user(app_env, email="ops@example.com")
    at.run()
    no_errors(at)
    set_role(app_env, email="ops@example.com", role="user", actor=operator())
    at.run()
    assert [e.value for e in at.error] == ["You do not have access to this page."]


def test_user_navigation_lists_no_admin_page(app_env):
    at = signed_in("pro@example.com")
    labels = {link.label for link in at.get("page_link")}
    for page in ADMIN_PAGES.values():
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    assert not {"Providers", "Routing", "Usage log", "Audit log"} & labels


@pytest.mark.parametrize("page", sorted(ADMIN_PAGES))
def test_admin_reaches_every_page_through_the_navigation(app_env, page):
    at = signed_in("admin@example.com")
    at.switch_page(ADMIN_PAGES[page]).run()
    no_errors(at)
    assert at.title
