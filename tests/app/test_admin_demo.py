"""The Stakeholder demo page: a super admin turns the demo on, sets an outage on the first
provider of the chain, sends a test request and sees the failed attempts and the provider that
answered instead; the sample posting links and the private-address switch are on the page;
plain admins are refused the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import AuditEntry
from orchestrator.demo_mode import runtime
from orchestrator.services.admin import policy
from tests.app.admin_helpers import add_plain_admin, no_errors, rendered_text
from tests.app.conftest import signed_in

PAGE = "pages/admin/demo.py"


def _page(orch, email: str = "admin@example.com") -> AppTest:
    """The page opened through the app's navigation (its links to other pages need it)."""
    at = signed_in(email)
    at.default_timeout = 60
    at.switch_page(PAGE).run()
    return at


@pytest.fixture
def demo_env(app_env):
    runtime.stop()
    yield app_env
    runtime.stop()


def _toggle(at: AppTest, key: str):
    return next(t for t in at.toggle if t.key == key)


def _actions(orch) -> list[str]:
    with orch.db.read() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_the_demo_runs_from_the_page(demo_env):
    orch = demo_env
    at = _page(orch)
    no_errors(at)
    assert "Demo mode is off" in rendered_text(at) and not at.selectbox
    _toggle(at, "demo_enabled").set_value(True).run()
    no_errors(at)
    assert "demo_mode.on" in _actions(orch) and runtime.current() is not None
    text = rendered_text(at)
    assert "Demo mode is on" in text and runtime.current().url in text
    assert {s.label for s in at.selectbox} >= {"Outage on demo-gemini", "Outage on demo-openai",
                                               "Outage on demo-anthropic"}

    from orchestrator.tasks.chat import SPEC

    first = policy.current(orch).matrix[("pro", SPEC.name)][0].provider
    box = next(s for s in at.selectbox if s.label == f"Outage on {first}")
    box.set_value("server_error").run()
    no_errors(at)
    assert "demo_mode.outage" in _actions(orch)
    assert f"{first}: 503 service unavailable from now on." in rendered_text(at)

    next(b for b in at.button if b.label == "Send a test request").click().run()
    no_errors(at)
    text = rendered_text(at)
    assert f"after 3 failed attempts on {first}" in text, text[:3000]
    assert f"Attempt 1 · {first}" in text and "(server_error)" in text
    assert "Open in the request inspector" in text
    for sample in ("data-engineer-amsterdam", "product-designer-london"):
        assert f"/demo/postings/{sample}" in text

    _toggle(at, "demo_allow_private").set_value(True).run()
    assert "settings.url_fetch_allow_private" in _actions(orch)

    _toggle(at, "demo_enabled").set_value(False).run()
    no_errors(at)
    assert "demo_mode.off" in _actions(orch) and runtime.current() is None
    assert "Demo mode is off" in rendered_text(at)


def test_a_plain_admin_cannot_open_the_demo(demo_env):
    """Not listed in a plain admin's menu, and the page script refuses them when reached directly."""
    from orchestrator.services.admin.users import get_user

    add_plain_admin(demo_env)
    menu = signed_in("ops@example.com")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        menu.switch_page(PAGE)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / PAGE), default_timeout=60)
    at.session_state["user"] = get_user(demo_env, email="ops@example.com")
    at.run()
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.toggle and runtime.current() is None
