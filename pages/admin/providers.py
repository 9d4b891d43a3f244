"""Providers: the list with health, and create / edit / key / models / test / deactivate / delete.

Add → configure → test in one flow: the add form takes the models the provider serves, or
(left blank) the server's own list is fetched once it exists; creating a provider opens it
(the Manage tab, with it chosen); its models panel adds listed or named models to the catalog,
and "Test credentials" offers them. The failure rate is ``services.reports.failure_rates``'s,
the same figure as the Overview's, with its window in the label.

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
from orchestrator.services.reports.failure_rates import DEFINITION, failure_rates
from ui.admin_common import ACTIVE, CIRCUIT, INACTIVE, ago, attempt, flash, header, pct, table, usd
from ui.context import get_orchestrator, require_admin

MANAGE, ADD = "Manage a provider", "Add a provider"
AUTO_PICK = 12  # listed models come pre-selected when the server offers at most this many

user = require_admin()
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
is_super = user.role == "super_admin"
header("Providers", "Where AI calls go: accounts, keys, health. Keys are stored encrypted and never shown again.")

# A provider just created opens: its name and the Manage tab are chosen before those widgets exist.
opened = st.session_state.pop("_provider_opened", None)
if opened:
    st.session_state["manage_provider"], st.session_state["provider_tab"] = opened, MANAGE

providers = list_providers(orch)
by_name = {p.name: p for p in providers}
kinds = {k.name: k for k in provider_kinds()}
rates = failure_rates(orch)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Providers", len(providers), f"{sum(p.is_active for p in providers)} active", delta_color="off",
          delta_arrow="off")
c2.metric("Ready to serve", sum(p.is_active and p.has_usable_key for p in providers),
          help="Active and with a usable key (or keyless).")
c3.metric("Circuits not closed", sum(p.circuit_state != "closed" for p in providers))
c4.metric(f"Failure rate · {rates.window}", pct(rates.overall.rate),
          f"{rates.overall.failed:,} of {rates.overall.calls:,} provider calls", delta_color="off",
          delta_arrow="off", help=DEFINITION)


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
    "Calls 24 h": p.requests_24h, "Failure rate 24 h": pct(p.error_rate_24h), "Priority": p.priority,
} for p in providers]  # widths fit 1440 px without cutting a value; base URLs are under "Manage"
st.dataframe(table(rows), hide_index=True, width="stretch",
             column_config={"Provider": st.column_config.TextColumn(width=105),
                            "Kind": st.column_config.TextColumn(width=125),
                            "Active": st.column_config.TextColumn(width=75),
                            "Circuit": st.column_config.TextColumn(width=80),
                            "Key": st.column_config.TextColumn(width=205),
                            "Last test": st.column_config.TextColumn(width=165),
                            "Calls 24 h": st.column_config.NumberColumn(
                                "Calls 24 h", width=75, format="localized",
                                help=f"Provider calls, {rates.window} (every attempt; cache hits and quota "
                                     "refusals reach no provider)."),
                            "Failure rate 24 h": st.column_config.TextColumn(
                                "Failed 24 h", width=75, help=DEFINITION),
                            "Priority": st.column_config.NumberColumn(width=60, format="localized")})
if not is_super:
    st.info("You are an admin: keys, key variables, base URLs of keyed providers and credential tests are "
            "reserved for super admins.", icon=":material/lock:")

tab_manage, tab_add = st.tabs([MANAGE, ADD], key="provider_tab", on_change="rerun")


def _list_from_server(name: str) -> None:
    """Ask the provider's server for its models; the answer (or why not) waits in the session."""
    try:
        with st.spinner("Asking the server for its models…"):
            listed = svc.server_models(orch, actor=actor, name=name)
    except OrchestratorError as exc:
        st.session_state["listed_models"] = {"provider": name, "error": str(exc)}
    else:
        st.session_state["listed_models"] = {"provider": name, "models": listed}
    st.session_state.pop("pick_models", None)


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
        add_models = st.text_area(
            "Models it serves", key="add_models", height=68,
            placeholder="e.g. gpt-4o-mini, llama3.1:8b — comma or newline separated; "
                        "leave blank to list them from the server",
            help="Added to the model catalog for this kind of provider, so it can be tested and routed to "
                 "at once. Blank: the server's own list is fetched after creating, to pick from.")
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
        created = attempt(lambda: svc.create_provider(
            orch, actor=actor, name=name, kind=kind, base_url=base_url, api_key=new_key or None,
            api_key_env=key_env or None, priority=int(priority), timeout_s=float(timeout), is_active=active,
            models=add_models))
        new_key = ""
        if created is not None:
            named = svc.parse_models(add_models)
            note = f" Models: {', '.join(named)}." if named else ""
            if not named:
                _list_from_server(created.name)
            flash(f"Provider '{created.name}' created" + (f" with key {created.key_hint}." if created.key_hint
                                                          else ".") + note)
            st.session_state["_provider_opened"] = created.name
            st.rerun()

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
        st.subheader("Models")
        kind_label = kinds[p.kind].label if p.kind in kinds else p.kind
        rows = list_models(orch, kind=p.kind, active_only=True)
        keyed = p.key_source != "none"
        if rows:
            st.dataframe([{"Model": r.model, "Input $/M": usd(r.input_usd_per_mtok),
                           "Output $/M": usd(r.output_usd_per_mtok)} for r in rows],
                         hide_index=True, width="stretch", height=min(36 + 35 * len(rows), 220),
                         column_config={"Model": st.column_config.TextColumn(width=170)})
            st.caption(f"The catalog's {kind_label} models, shared by every provider of that kind. "
                       "Unpriced models are logged with an unknown cost, never $0: price them under "
                       "Models & prices.")
        else:
            st.info(f"No {kind_label} models in the catalog yet: list them from the server or name them.",
                    icon=":material/info:")
        can_list = is_super or not keyed
        if st.button("List models from the server", icon=":material/refresh:", key="list_models",
                     disabled=not can_list,
                     help=None if can_list else "Listing uses the key: for super admins."):
            _list_from_server(p.name)
        listed = st.session_state.get("listed_models")
        if listed and listed["provider"] == p.name:
            if "error" in listed:
                st.error(f"The server's model list could not be read. {listed['error']}", icon=":material/error:")
            else:
                known = {r.model for r in rows}
                fresh = [m for m in listed["models"] if m not in known]
                st.caption(f"The server lists {len(listed['models']):,} model(s); "
                           f"{len(fresh):,} not in the catalog yet.")
                if fresh:
                    picked = st.multiselect("Models the server offers", fresh, key="pick_models",
                                            default=fresh if len(fresh) <= AUTO_PICK else [])
                    if st.button("Add selected models", key="add_listed", type="primary", icon=":material/add:",
                                 disabled=not picked):
                        done = attempt(lambda: svc.add_models(orch, actor=actor, name=p.name, models=picked),
                                       success=lambda r: f"Added {', '.join(r.added) or 'no new model'} to the "
                                                         f"{kind_label} catalog."
                                       + (f" Unpriced: {', '.join(r.unpriced)}." if r.unpriced else ""),
                                       rerun=False)
                        if done is not None:
                            st.session_state.pop("listed_models", None)
                            st.rerun()
        with st.form(f"models_{p.name}", clear_on_submit=True, border=False):
            typed = st.text_input("Add models by name", key="typed_models", placeholder="comma separated")
            add_typed = st.form_submit_button("Add models", icon=":material/playlist_add:")
        if add_typed:
            attempt(lambda: svc.add_models(orch, actor=actor, name=p.name, models=typed),
                    success=lambda r: (f"Added {', '.join(r.added)} to the {kind_label} catalog." if r.added
                                       else "Those models are in the catalog already.")
                    + (f" Unpriced: {', '.join(r.unpriced)}." if r.unpriced else ""))

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
            offered = svc.test_models(orch, name=p.name)
            if st.session_state.get("test_model") not in offered:
                st.session_state.pop("test_model", None)  # another provider's choice: start from its first
            test_model = st.selectbox("Test with model", offered, key="test_model", disabled=not offered,
                                      placeholder="add a model first",
                                      help="The models above; the one the routing policy sends here comes first.")
            if st.button("Test credentials", type="primary", icon=":material/network_check:", key="test_creds",
                         disabled=not offered):
                with st.spinner("Calling the provider…"):
                    check = attempt(lambda: svc.test_credentials(orch, actor=actor, name=p.name, model=test_model),
                                    rerun=False)
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
