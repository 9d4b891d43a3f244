"""Providers: the list with health, and create / edit / key / test / deactivate / delete.

Keys are super-admin only (the services check the role again): the key field
is a password input in a form that clears on submit, its value is dropped
from the session right after saving, and only the hint ("…abcd") is shown.
"""

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.safe_markdown import plain_label
from orchestrator.services.admin import admin_providers as svc
from orchestrator.services.actor import Actor
from orchestrator.services.admin.catalog import list_models
from orchestrator.services.admin.providers import list_providers, provider_kinds
from ui.admin_common import ACTIVE, CIRCUIT, INACTIVE, ago, attempt, flash, header, pct, table
from ui.context import get_orchestrator, require_admin

user = require_admin()
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
is_super = user.role == "super_admin"
header("Providers", "Where AI calls go: accounts, keys, health. Keys are stored encrypted and never shown again.")

providers = list_providers(orch)
by_name = {p.name: p for p in providers}
kinds = {k.name: k for k in provider_kinds()}

c1, c2, c3, c4 = st.columns(4)
c1.metric("Providers", len(providers), f"{sum(p.is_active for p in providers)} active", delta_color="off",
          delta_arrow="off")
c2.metric("Ready to serve", sum(p.is_active and p.has_usable_key for p in providers),
          help="Active and with a usable key (or keyless).")
c3.metric("Circuits not closed", sum(p.circuit_state != "closed" for p in providers))
total = sum(p.requests_24h for p in providers)
errors = sum(round((p.error_rate_24h or 0) * p.requests_24h) for p in providers)
c4.metric("Error rate, 24 h", pct(errors / total if total else None), f"{total:,} attempts", delta_color="off",
          delta_arrow="off")


for p in providers:
    if p.account_problem:
        st.warning(f"**{p.name}**: {p.account_problem} (last seen {ago(p.account_problem_at)}).",
                   icon=":material/credit_card_off:")


def _last_test(p) -> str:
    if p.last_test_at is None:
        return "not tested"
    if p.last_test_ok:
        return f"✔ OK · {p.last_test_latency_ms} ms · {ago(p.last_test_at)}"
    return f"✘ {p.last_test_error_class or 'failed'} · {ago(p.last_test_at)}"


def _key(p) -> str:
    if p.key_source == "vault":
        return f"key {p.key_hint or '…'}"
    if p.key_source.startswith("env:"):
        var = p.key_source[4:].split(" ")[0]
        return f"⚠ {var} not set" if "(unset)" in p.key_source else f"env {var}"
    return "keyless" if p.has_usable_key else "— none"


rows = [{
    "Provider": p.name, "Kind": p.kind, "Active": ACTIVE if p.is_active else INACTIVE,
    "Key": _key(p), "Last test": _last_test(p), "Circuit": CIRCUIT.get(p.circuit_state, p.circuit_state),
    "Requests 24 h": p.requests_24h, "Errors 24 h": pct(p.error_rate_24h), "Priority": p.priority,
    "Base URL": p.base_url or ("built in" if p.kind in kinds and kinds[p.kind].local_engine else "(vendor default)"),
} for p in providers]
narrow = st.column_config.TextColumn(width=75)
st.dataframe(table(rows), hide_index=True, width="stretch",
             column_config={"Kind": narrow, "Active": narrow, "Circuit": st.column_config.TextColumn(width=90),
                            "Key": st.column_config.TextColumn(width=185),
                            "Last test": st.column_config.TextColumn(width=170),
                            "Requests 24 h": st.column_config.NumberColumn("Req. 24 h", width=70),
                            "Errors 24 h": st.column_config.TextColumn("Err. 24 h", width=70),
                            "Priority": st.column_config.NumberColumn(width=60)})
if not is_super:
    st.info("You are an admin: keys, key variables, base URLs of keyed providers and credential tests are "
            "reserved for super admins.", icon=":material/lock:")

tab_manage, tab_add = st.tabs(["Manage a provider", "Add a provider"])

with tab_add:
    with st.form("add_provider", clear_on_submit=True):
        a1, a2 = st.columns(2)
        name = a1.text_input("Name", placeholder="e.g. openai-eu", key="add_name")
        kind = a2.selectbox("Kind", list(kinds), key="add_kind", help="The wire format the provider speaks.",
                            format_func=lambda k: f"{kinds[k].label} ({k})")
        needs_url = ", ".join(k for k, info in kinds.items() if info.requires_base_url)
        base_url = st.text_input("Base URL", key="add_base_url",
                                 placeholder="blank: the vendor's default" + (f"; required for {needs_url}"
                                                                              if needs_url else ""))
        a3, a4, a5 = st.columns(3)
        priority = a3.number_input("Priority", min_value=0, max_value=10_000, value=100, step=10)
        timeout = a4.number_input("Timeout (s)", min_value=1, max_value=600, value=60)
        active = a5.toggle("Active", value=True)
        if is_super:
            new_key = st.text_input("API key (optional)", type="password", key="add_api_key",
                                    help="Stored encrypted; only its last four characters are shown again.")
            key_env = st.text_input("…or read the key from this environment variable", placeholder="OPENAI_API_KEY",
                                    key="add_key_env")
        else:
            new_key, key_env = "", ""
            st.caption("Keys are set by a super admin.")
        submitted = st.form_submit_button("Create provider", type="primary", icon=":material/add:")
    if submitted:
        st.session_state.pop("add_api_key", None)  # the key lives no longer than this submit
        attempt(lambda: svc.create_provider(orch, actor=actor, name=name, kind=kind, base_url=base_url,
                                            api_key=new_key or None, api_key_env=key_env or None,
                                            priority=int(priority), timeout_s=float(timeout), is_active=active),
                success=lambda p: f"Provider '{p.name}' created" + (f" with key {p.key_hint}." if p.key_hint else "."))
        new_key = ""

with tab_manage:
    if not providers:
        st.info("No providers yet.")
        st.stop()
    names = list(by_name)
    pick = st.selectbox("Provider", names, key="manage_provider")
    p = by_name[pick]
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("Settings")
        keyed = p.key_source != "none"
        with st.form(f"edit_{p.name}"):
            e_url = st.text_input("Base URL", value=p.base_url or "", disabled=keyed and not is_super,
                                  help=None if is_super
                                  else "Only a super admin changes where a keyed provider's calls go.")
            e1, e2 = st.columns(2)
            e_priority = e1.number_input("Priority", min_value=0, max_value=10_000, value=p.priority, step=10)
            e_timeout = e2.number_input("Timeout (s)", min_value=1, max_value=600, value=int(p.timeout_s))
            env_now = p.key_source.split(":", 1)[1].split(" ")[0] if p.key_source.startswith("env:") else ""
            e_env = st.text_input("Key environment variable", value=env_now, disabled=not is_super)
            save = st.form_submit_button("Save settings", icon=":material/save:")
        if save:
            changes = {"priority": int(e_priority), "timeout_s": float(e_timeout)}
            if is_super or not keyed:
                changes["base_url"] = e_url
            if is_super:
                changes["api_key_env"] = e_env
            attempt(lambda: svc.edit_provider(orch, actor=actor, name=p.name, **changes),
                    success=f"Saved '{p.name}'.")

        st.subheader("Status")
        s1, s2, _ = st.columns([1, 1, 2])
        if p.is_active:
            if s1.button("Deactivate", icon=":material/pause_circle:", key="deactivate"):
                attempt(lambda: svc.set_active(orch, actor=actor, name=p.name, active=False),
                        success=f"'{p.name}' is inactive: routing skips it.")
        elif s1.button("Activate", icon=":material/play_circle:", key="activate", type="primary"):
            attempt(lambda: svc.set_active(orch, actor=actor, name=p.name, active=True),
                    success=f"'{p.name}' is active.")
        with s2.popover("Delete…", icon=":material/delete:"):
            st.write(f"Delete **{p.name}** for good? Deactivating keeps its history and settings.")
            delete = st.button("Delete provider", type="primary", key="delete_provider")
        if delete:
            try:
                svc.delete_provider(orch, actor=actor, name=p.name)
            except OrchestratorError as exc:
                st.error(str(exc))  # e.g. refused while the routing policy uses it
            else:
                flash(f"Deleted '{p.name}'.")
                st.session_state.pop("manage_provider", None)
                st.rerun()

    with right:
        st.subheader("Credentials")
        st.markdown(f"**Key:** {_key(p)}  \n**Last test:** {_last_test(p)}")
        if p.last_test_message:
            st.caption(plain_label(p.last_test_message))  # the provider's own words: plain text
        if not is_super:
            st.caption(":material/lock: Setting keys and testing credentials is for super admins.")
        else:
            with st.form(f"key_{p.name}", clear_on_submit=True):
                secret = st.text_input("Set or replace the API key", type="password", key="provider_api_key")
                set_key = st.form_submit_button("Save key", icon=":material/key:")
            if set_key:
                st.session_state.pop("provider_api_key", None)
                attempt(lambda: svc.set_key(orch, actor=actor, name=p.name, api_key=secret),
                        success=lambda info: f"Key saved for '{p.name}': {info.key_hint}. It will not be shown again.")
                secret = ""
            if p.key_source == "vault" and st.button("Remove stored key", icon=":material/key_off:"):
                attempt(lambda: svc.clear_key(orch, actor=actor, name=p.name),
                        success=f"Stored key removed from '{p.name}'.")
            models = [m.model for m in list_models(orch, kind=p.kind, active_only=True)]
            test_model = st.selectbox("Test with model", ["(as routed)", *models], key="test_model",
                                      help="'As routed' uses the model the routing policy sends to this provider.")
            if st.button("Test credentials", type="primary", icon=":material/network_check:", key="test_creds"):
                with st.spinner("Calling the provider…"):
                    check = attempt(lambda: svc.test_credentials(
                        orch, actor=actor, name=p.name,
                        model=None if test_model == "(as routed)" else test_model), rerun=False)
                if check is not None:
                    st.session_state["credential_check"] = check
                    st.rerun()
            check = st.session_state.get("credential_check")
            if check is not None and check.provider == p.name:
                if check.ok:
                    st.success(f"OK · {check.latency_ms} ms · {check.model}. {plain_label(check.message)}",
                               icon=":material/check_circle:")
                else:
                    st.error(f"Failed: {check.error_class} · {check.latency_ms} ms · {check.model}. "
                             f"{plain_label(check.message)}",
                             icon=":material/error:")
