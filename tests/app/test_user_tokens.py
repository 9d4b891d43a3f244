"""Plan and usage, API tokens: create one (shown once, copyable), list them by hint,
revoke one after a confirmation, and how to call the API with one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from orchestrator import api_tokens as fmt
from orchestrator.errors import CredentialError
from orchestrator.services.admin.users import get_user
from orchestrator.services.user import api_tokens
from tests.app.admin_helpers import rendered_text, state_text
from tests.app.user_support import captions, messages, open_page

CREATE = "FormSubmitter:create_api_token-Create token"


def _tokens(orch, email="free@example.com"):
    return api_tokens.list_tokens(orch, user_id=get_user(orch, email=email).id)


def _make(orch, email="free@example.com", name="script") -> api_tokens.NewToken:
    return api_tokens.create_token(orch, user_id=get_user(orch, email=email).id, name=name)


def _works(orch, token: str) -> bool:
    try:
        api_tokens.authenticate(orch, token)
    except CredentialError:
        return False
    return True


def test_empty_state_and_how_to_call_the_api(app_env):
    at = open_page("free@example.com", "plan")
    assert "API tokens" in [h.value for h in at.subheader]
    assert "You have no tokens yet." in captions(at)
    [example] = [c.value for c in at.code if "curl" in c.value]
    assert example == 'curl -H "Authorization: Bearer $AIO_TOKEN" http://localhost:8501/api/v1/usage'
    assert "[API docs](http://localhost:8501/api/v1/docs)" in captions(at)
    assert at.selectbox(key="api_token_expiry").value == "90 days"


def test_create_shows_the_token_once(app_env):
    at = open_page("free@example.com", "plan")
    at.text_input(key="api_token_name").input("laptop script")
    at.selectbox(key="api_token_expiry").select("30 days")
    at.button(key=CREATE).click().run()
    assert not at.exception and messages(at) == []
    [token] = [c.value for c in at.code if c.value.startswith("aio_pat_")]
    assert re.fullmatch(fmt.PATTERN, token) and _works(app_env, token)
    [note] = [s.value for s in at.success]
    assert "Copy it now: it will not be shown again" in note and "laptop script" in note
    [info] = _tokens(app_env)
    assert info.name == "laptop script" and info.expires_at - datetime.now(UTC) > timedelta(days=29)
    table = at.dataframe[-1].value
    assert list(table["Name"]) == ["laptop script"] and list(table["Token"]) == [token[:12] + "…"]
    assert list(table["Status"]) == ["active"] and list(table["Expires"]) == [info.expires_at.strftime(
        "%Y-%m-%d %H:%M")]
    assert token not in state_text(at)
    at.run()  # any later run: the token is gone, only its hint remains
    assert token not in rendered_text(at) and token[:12] + "…" in rendered_text(at)
    assert not at.success


def test_never_expiring_token_and_the_limit_shown_as_a_message(app_env):
    at = open_page("pro@example.com", "plan")
    at.selectbox(key="api_token_expiry").select("Never")
    at.button(key=CREATE).click().run()
    [info] = _tokens(app_env, "pro@example.com")
    assert info.expires_at is None and info.name == "API token"
    assert list(at.dataframe[-1].value["Expires"]) == ["never"]
    for i in range(19):
        _make(app_env, "pro@example.com", name=f"t{i}")
    at.button(key=CREATE).click().run()
    assert not at.exception
    assert any("20 active tokens, the most allowed. Revoke one first." in e.value for e in at.error)
    assert not any(c.value.startswith("aio_pat_") for c in at.code)


def test_revoke_asks_first(app_env):
    keep, gone = _make(app_env, name="keep"), _make(app_env, name="gone")
    _make(app_env, "pro@example.com", name="someone else's")
    at = open_page("free@example.com", "plan")
    assert sorted(at.dataframe[-1].value["Name"]) == ["gone", "keep"]  # only the user's own
    pick = at.selectbox(key="revoke_pick")
    pick.select(gone.info.id)
    at.button(key="revoke_ask").click().run()
    assert any("Revoke gone" in w.value and "stops working at once" in w.value for w in at.warning)
    at.button(key="revoke_no").click().run()
    assert not at.warning and _works(app_env, gone.token)
    at.selectbox(key="revoke_pick").select(gone.info.id)
    at.button(key="revoke_ask").click().run()
    at.button(key="revoke_yes").click().run()
    assert not at.exception and not at.warning
    assert not _works(app_env, gone.token) and _works(app_env, keep.token)
    table = at.dataframe[-1].value
    assert dict(zip(table["Name"], table["Status"], strict=True)) == {"keep": "active", "gone": "revoked"}
    assert at.selectbox(key="revoke_pick").options == [f"keep ({keep.info.hint}, created "
                                                       f"{keep.info.created_at:%Y-%m-%d %H:%M})"]
