"""The setting that lets job-posting links reach private addresses (for demos) has a page:
only a super admin may switch it, every switch is audited, and every admin page warns while on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import AuditEntry
from orchestrator.services.admin import security
from orchestrator.services.admin.users import get_user
from tests.app.admin_helpers import add_plain_admin, no_errors
from tests.app.conftest import signed_in

SECURITY_PAGE = str(Path(__file__).resolve().parents[2] / "pages/admin/security.py")
WARNING = "forgery guard is off"


def _page(orch, path: str, email: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=30)
    at.session_state["user"] = get_user(orch, email=email)
    at.run()
    no_errors(at)
    return at


def _warned(at: AppTest) -> bool:
    return any(WARNING in w.value for w in at.warning)


def test_a_super_admin_switches_it_on_and_off_with_an_audit_trail(app_env):
    at = _page(app_env, SECURITY_PAGE, "admin@example.com")
    assert not _warned(at) and at.toggle(key="allow_private_urls").value is False
    at.toggle(key="allow_private_urls").set_value(True).run()
    no_errors(at)
    assert security.private_urls_allowed(app_env)
    assert _warned(signed_in("admin@example.com"))  # on every page, from the app's shell
    assert not _warned(signed_in("free@example.com"))  # job seekers are not bothered with it
    at.toggle(key="allow_private_urls").set_value(False).run()
    assert not security.private_urls_allowed(app_env)
    with app_env.db.read() as s:
        trail = s.execute(select(AuditEntry.actor, AuditEntry.after).where(
            AuditEntry.action == "settings.url_fetch_allow_private").order_by(AuditEntry.id)).all()
    assert trail == [("admin@example.com", {"allowed": True}), ("admin@example.com", {"allowed": False})]


def test_a_plain_admin_sees_it_but_cannot_switch_it(app_env):
    add_plain_admin(app_env)
    at = _page(app_env, SECURITY_PAGE, "ops@example.com")
    assert at.toggle(key="allow_private_urls").disabled
    assert "Only a super admin may change this." in "\n".join(c.value for c in at.caption)


def test_a_job_seeker_cannot_open_the_page(app_env):
    at = AppTest.from_file(SECURITY_PAGE, default_timeout=30)
    at.session_state["user"] = get_user(app_env, email="free@example.com")
    at.run()
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.toggle
