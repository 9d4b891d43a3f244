"""Signing in survives reloads through a signed, expiring, revocable session token (the
sign-in route and its HttpOnly cookie are covered by tests/api/test_browser_session.py, the
round trip in a browser by tests/browser); sign-out ends it on the server."""

from __future__ import annotations

import dataclasses

from orchestrator import Orchestrator
from orchestrator.services.user import sessions
from orchestrator.services.admin import users
from tests.app.conftest import new_app, signed_in
from tests.support import operator


def test_sign_out_revokes_the_server_session(app_env):
    at = signed_in("free@example.com")
    token = at.session_state["session_token"]
    assert sessions.resume_session(app_env, token).email == "free@example.com"
    at.sidebar.button(key="sign_out").click().run()
    assert not at.exception
    assert at.title[0].value == "AI Orchestrator"
    assert [i.value for i in at.info] == ["You have signed out."]
    assert sessions.resume_session(app_env, token) is None
    # the browser then posts to the sign-out route, which deletes the HttpOnly cookie
    assert any("'/auth/sign-out'" in h.proto.body or '"/auth/sign-out"' in h.proto.body for h in at.get("html"))


def test_a_revoked_token_in_the_browser_session_signs_out(app_env):
    at = signed_in("free@example.com")
    sessions.revoke_session(app_env, at.session_state["session_token"])
    at.run()
    assert at.title[0].value == "AI Orchestrator"
    assert "user" not in at.session_state


def test_a_forged_token_is_ignored(app_env):
    at = new_app()
    at.session_state["session_token"] = "abc.9999999999.forged"
    at.run()
    assert at.title[0].value == "AI Orchestrator"


def _token(orch, email="free@example.com"):
    return sessions.create_session(orch, user_id=users.get_user(orch, email=email).id)[0]


def test_a_token_is_signed_and_tampering_breaks_it(app_env):
    token = _token(app_env)
    sid, exp, sig = token.split(".")
    assert sessions.resume_session(app_env, token).email == "free@example.com"
    assert sessions.resume_session(app_env, f"{sid}.{int(exp) + 3600}.{sig}") is None  # longer life: refused
    assert sessions.resume_session(app_env, f"{sid}x.{exp}.{sig}") is None
    assert sessions.resume_session(app_env, "") is None and sessions.resume_session(app_env, "a.b") is None


def test_an_expired_token_is_refused(app_env, database_url):
    short = Orchestrator(database_url=database_url, settings=dataclasses.replace(app_env.settings,
                                                                                session_ttl_hours=0))
    try:
        token = _token(short)
        assert sessions.resume_session(short, token) is None
    finally:
        short.close()


def test_deactivation_and_revoke_all_end_sessions(app_env):
    token = _token(app_env)
    users.set_active(app_env, email="free@example.com", active=False, actor=operator())
    assert sessions.resume_session(app_env, token) is None
    users.set_active(app_env, email="free@example.com", active=True, actor=operator())
    assert sessions.resume_session(app_env, token) is not None
    assert sessions.revoke_all(app_env, user_id=users.get_user(app_env, email="free@example.com").id) == 1
    assert sessions.resume_session(app_env, token) is None
