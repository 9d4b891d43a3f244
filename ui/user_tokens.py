"""The "API tokens" section of Plan and usage: create a personal token (shown once), list the
user's tokens by hint, revoke one (after a confirmation), and how to call the API with one.

Tokens let the user's own scripts call the REST API (``/api/v1``) and the OpenAI-compatible
gateway (``/v1``) as them, with their plan, quotas and credit. The plaintext exists once,
in the run that created it: it is shown in an ``st.code`` (which has a copy button) and is
not kept in the session, so any later rerun has only the hint.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from orchestrator.limits import NAME_CHARS
from orchestrator.safe_markdown import plain_label
from orchestrator.services.user import api_tokens
from orchestrator.services.user.api_tokens import MAX_ACTIVE_TOKENS, TokenInfo
from ui.user_common import call, flash

EXPIRY = {"30 days": 30, "90 days": 90, "365 days": 365, "Never": None}
DEFAULT_EXPIRY = "90 days"
LOCAL_SERVER = "http://localhost:8501"
CONFIRM = "confirm_revoke_token"


def server_url() -> str:
    """This server's own address as the browser sees it (scheme, host, port and any base path),
    for examples the user can paste; the usual local address when it is not known."""
    url = st.context.url
    if not url:
        return LOCAL_SERVER
    parts = urlsplit(url)
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{base}" if base else "")


def _date(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _new_token_box(new: api_tokens.NewToken) -> None:
    with st.container(border=True):
        st.success(f"Token “{plain_label(new.info.name)}” created. Copy it now: it will not be shown again "
                   "(only its hint is kept). Keep it secret, like a password.", icon=":material/key:")
        st.code(new.token, language=None)


def _create_form(orch, user) -> None:
    with st.form("create_api_token", clear_on_submit=True, border=True):
        st.markdown("**Create a token**")
        c1, c2 = st.columns([3, 1])
        name = c1.text_input("Token name", max_chars=NAME_CHARS, placeholder="e.g. laptop script",
                             help="What it is for, so you can tell your tokens apart.", key="api_token_name")
        expiry = c2.selectbox("Expires after", list(EXPIRY), index=list(EXPIRY).index(DEFAULT_EXPIRY),
                              key="api_token_expiry")
        submitted = st.form_submit_button("Create token", icon=":material/add:")
    if submitted:
        new = call(lambda: api_tokens.create_token(orch, user_id=user.id, name=name, expires_days=EXPIRY[expiry]))
        if new is not None:
            _new_token_box(new)


def _token_table(tokens: list[TokenInfo]) -> None:
    rows = [{"Name": t.name, "Token": t.hint, "Created": _date(t.created_at),
             "Last used": _date(t.last_used_at) or "never", "Expires": _date(t.expires_at) or "never",
             "Status": t.status} for t in tokens]
    st.dataframe(rows, hide_index=True, width="stretch")


def _revoke(orch, user, active: list[TokenInfo]) -> None:
    """Pick an active token, then confirm: scripts using it stop working at once."""
    state = st.session_state
    labels = {t.id: f"{t.name} ({t.hint}, created {_date(t.created_at)})" for t in active}
    pending = state.get(CONFIRM)
    if pending not in labels:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        chosen = c1.selectbox("Revoke a token", list(labels), format_func=lambda i: labels[i], key="revoke_pick")
        if c2.button("Revoke…", icon=":material/block:", key="revoke_ask", width="stretch"):
            state[CONFIRM] = chosen
            st.rerun()
        return
    st.warning(f"Revoke {plain_label(labels[pending])}? Anything using it stops working at once. "
               "This cannot be undone.", icon=":material/warning:")
    c1, c2, _ = st.columns([1, 1, 3])
    if c1.button("Yes, revoke", type="primary", key="revoke_yes"):
        state.pop(CONFIRM, None)
        if call(lambda: api_tokens.revoke_token(orch, user_id=user.id, token_id=pending)) is not None:
            flash("Token revoked.", ":material/block:")
            st.rerun()
    if c2.button("Cancel", key="revoke_no"):
        state.pop(CONFIRM, None)
        st.rerun()


def _how_to_use(base: str) -> None:
    st.markdown("**Use it**: send it as a bearer token. Your usage and quota, for example:")
    st.code(f'curl -H "Authorization: Bearer $AIO_TOKEN" {base}/api/v1/usage', language="bash")
    st.caption(f"Every route is described in the [API docs]({base}/api/v1/docs). Scripts written for "
               f"OpenAI's SDK can use the gateway at `{base}/v1` with the same token. Requests count against "
               "your plan like the ones you make here.")


def tokens_section(orch, user) -> None:
    """The whole section, for the signed-in ``user`` (a ``UserInfo``)."""
    st.subheader("API tokens", anchor=False)
    st.caption(f"Personal tokens let your own scripts use the API as you. Up to {MAX_ACTIVE_TOKENS} active "
               "tokens; revoke one you no longer use or that may have leaked.")
    _create_form(orch, user)
    tokens = call(lambda: api_tokens.list_tokens(orch, user_id=user.id))
    if tokens is None:
        return
    if not tokens:
        st.caption("You have no tokens yet.")
    else:
        _token_table(tokens)
        active = [t for t in tokens if t.active]
        if active:
            _revoke(orch, user, active)
    _how_to_use(server_url())
