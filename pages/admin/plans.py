"""Plans and quotas: each plan's limits, whether it keeps prompts and answers for the request
inspector, whether its users' personal data goes to AI providers as placeholders, and per-user
overrides of the limits."""

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.services.admin import admin_users, plans
from orchestrator.services.actor import Actor
from ui.admin_common import attempt, flash, header, limit_text, plain, usd
from ui.context import get_orchestrator, require_admin

user = require_admin()
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
header("Plans & quotas", "Limits per plan apply to every user on it unless the user has an override. "
       "Leave a field blank for unlimited.")

all_plans = plans.list_plans(orch)
st.dataframe([{
    "Plan": p.name, "Code": p.code, "Monthly fee": usd(p.monthly_fee_usd),
    "Requests / day": limit_text(p.requests_per_day), "Tokens / month": limit_text(p.tokens_per_month),
    "Cost cap / month": limit_text(p.cost_cap_usd_month), "Billing": "prepaid credit" if p.uses_credit else "flat fee",
    "Paygo markup": f"{p.markup_pct}%" if p.uses_credit else "—",
    "Prompts & answers": f"kept {orch.settings.payload_retention_days} days" if p.keep_payloads else "not kept",
    "Personal data to providers": "placeholders" if p.redact_personal_data else "sent as is",
} for p in all_plans], hide_index=True, width="stretch", column_config={  # short labels: fits 1440 px
    "Plan": st.column_config.TextColumn(width=115), "Code": st.column_config.TextColumn(width=80),
    "Monthly fee": st.column_config.TextColumn(width=88), "Requests / day": st.column_config.TextColumn(width=100),
    "Tokens / month": st.column_config.TextColumn(width=105),
    "Cost cap / month": st.column_config.TextColumn("Cost cap / mo", width=95, help="AI cost cap per month"),
    "Billing": st.column_config.TextColumn(width=105), "Paygo markup": st.column_config.TextColumn("Markup", width=65,
                                                                                                   help="Paygo markup"),
    "Prompts & answers": st.column_config.TextColumn("Prompts", width=100,
                                                     help="Prompts and answers kept for the request inspector"),
    "Personal data to providers": st.column_config.TextColumn("Personal data", width=105,
                                                              help="How users' personal data reaches AI providers")})

tab_plan, tab_user = st.tabs(["Edit plan limits", "Per-user overrides"])


def _switch_keep(code: str, name: str) -> None:
    keep = st.session_state[f"keep:{code}"]
    try:
        plans.set_limits(orch, code=code, actor=actor, keep_payloads=keep)
    except OrchestratorError as exc:
        flash(str(exc), "warning")
        return
    flash(f"{name} {'now keeps' if keep else 'no longer keeps'} prompts and answers.")


def _switch_redact(code: str, name: str) -> None:
    on = st.session_state[f"redact:{code}"]
    try:
        plans.set_limits(orch, code=code, actor=actor, redact_personal_data=on)
    except OrchestratorError as exc:
        flash(str(exc), "warning")
        return
    flash(f"{name} now sends its users' name and contact details to AI providers "
          f"{'as placeholders' if on else 'as they are'}.")


def _blank(value) -> str:
    """A limit for an input field: '300,000', '2.5', '' for unlimited (the services accept separators)."""
    return "" if value is None else (plain(value) if not isinstance(value, int) else f"{value:,}")


with tab_plan:
    codes = {p.code: p for p in all_plans}
    code = st.selectbox("Plan", list(codes), format_func=lambda c: codes[c].name, key="plan_pick")
    p = codes[code]
    with st.form(f"limits_{code}"):
        c1, c2, c3 = st.columns(3)
        rpd = c1.text_input("Requests per day", value=_blank(p.requests_per_day), key=f"rpd:{code}")
        tpm = c2.text_input("Tokens per month", value=_blank(p.tokens_per_month), key=f"tpm:{code}")
        cap = c3.text_input("Cost cap per month (USD)", value=_blank(p.cost_cap_usd_month), key=f"cap:{code}")
        c4, c5 = st.columns(3)[:2]
        fee = c4.text_input("Monthly fee (USD)", value=plain(p.monthly_fee_usd), key=f"fee:{code}")
        markup = c5.text_input("Paygo markup (%)", value=str(p.markup_pct), key=f"markup:{code}",
                               disabled=not p.uses_credit,
                               help="What a credit plan charges on top of the AI cost.")
        save = st.form_submit_button("Save limits", type="primary", icon=":material/save:")
    if save:
        changes = {"requests_per_day": rpd or None, "tokens_per_month": tpm or None, "cost_cap_usd": cap or None,
                   "monthly_fee_usd": fee or "0"}
        if p.uses_credit:
            changes["markup_pct"] = markup or "0"
        attempt(lambda: plans.set_limits(orch, code=code, actor=actor, **changes),
                success=f"Saved the limits of {p.name}.")

    # the switch shows the plan as stored now (another admin or the CLI may have changed it), and
    # writes only when this admin flips it (on_change), never because a stale value differs
    st.session_state[f"keep:{code}"] = p.keep_payloads
    st.toggle("Keep prompts and answers for the request inspector", key=f"keep:{code}",
              on_change=_switch_keep, args=(code, p.name),
              help=f"Each request's prompt and answer are stored with personal data redacted, for "
                   f"{orch.settings.payload_retention_days} days (ORCHESTRATOR_PAYLOAD_RETENTION_DAYS), so admins "
                   "can open them from the Usage log. Applies to requests from now on.")
    st.session_state[f"redact:{code}"] = p.redact_personal_data
    st.toggle("Replace personal data by placeholders before calling AI providers", key=f"redact:{code}",
              on_change=_switch_redact, args=(code, p.name),
              help="The user's name, e-mail, phone, address and personal links (and anything shaped like an "
                   "e-mail, a phone number or a profile link) go to external providers as placeholders such as "
                   "`[[NAME_1]]` and are put back in the answer. The offline engine always gets them as they are. "
                   "Users see this setting on their Plan page. Applies to requests from now on.")

with tab_user:
    overridden = admin_users.search_users(orch, with_overrides=True, page_size=200)
    if overridden.rows:
        st.markdown(f"**{overridden.total} user(s) with overrides**")
        st.dataframe([{
            "User": u.email, "Plan": u.plan_name,
            "Requests / day": limit_text(u.requests_per_day_override) if u.requests_per_day_override is not None
            else "plan", "Tokens / month": limit_text(u.tokens_per_month_override)
            if u.tokens_per_month_override is not None else "plan",
            "Cost cap / month": usd(u.cost_cap_usd_month_override) if u.cost_cap_usd_month_override is not None
            else "plan",
        } for u in overridden.rows], hide_index=True, width="stretch")
    else:
        st.caption("No user has an override yet.")

    query = st.text_input("Find a user", placeholder="email or name", key="ovr_query")
    found = admin_users.search_users(orch, query=query, page_size=50).rows if query.strip() else overridden.rows
    if not found:
        st.info("Search for a user to give them their own limits." if not query.strip() else "No user matches.")
        st.stop()
    email = st.selectbox("User", [u.email for u in found], key="ovr_user")
    detail = admin_users.user_detail(orch, email=email)
    st.dataframe([{
        "Limit": line.name, "Plan": limit_text(line.plan_value),
        "Override": "—" if line.override is None else limit_text(line.override),
        "Applies": limit_text(line.effective),
        "Used": usd(line.used) if "USD" in line.name else f"{line.used:,}",
    } for line in detail.limits], hide_index=True, width="stretch")
    u = detail.user
    with st.form(f"overrides_{u.email}"):
        st.caption(f"{u.email} is on {u.plan_name}. Blank: use the plan's limit.")
        o1, o2, o3 = st.columns(3)
        o_rpd = o1.text_input("Requests per day", value=_blank(u.requests_per_day_override), key=f"ovr_rpd:{u.email}")
        o_tpm = o2.text_input("Tokens per month", value=_blank(u.tokens_per_month_override), key=f"ovr_tpm:{u.email}")
        o_cap = o3.text_input("Cost cap per month (USD)", value=_blank(u.cost_cap_usd_month_override),
                              key=f"ovr_cap:{u.email}")
        save_o = st.form_submit_button("Save overrides", type="primary", icon=":material/save:")
    if save_o:
        attempt(lambda: admin_users.set_overrides(orch, email=u.email, requests_per_day=o_rpd or None,
                                                  tokens_per_month=o_tpm or None, cost_cap_usd=o_cap or None,
                                                  actor=actor),
                success=f"Saved the overrides of {u.email}.")
    if u.has_overrides and st.button("Clear overrides (use the plan's limits)", icon=":material/undo:",
                                     key="clear_overrides"):
        for k in ("ovr_rpd", "ovr_tpm", "ovr_cap"):
            st.session_state.pop(f"{k}:{u.email}", None)
        attempt(lambda: admin_users.clear_overrides(orch, email=u.email, actor=actor),
                success=f"{u.email} follows the {u.plan_name} plan's limits again.")
