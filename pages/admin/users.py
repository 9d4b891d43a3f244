"""Users: search, change plan or role, activate or deactivate, top up paygo credit
(recorded in the credit ledger), and add accounts."""

import streamlit as st

from orchestrator.services.admin import admin_users
from orchestrator.services.actor import Actor
from orchestrator.services.admin.admin_users import ROLES
from orchestrator.services.admin.plans import list_plans
from ui.admin_common import (ACTIVE, INACTIVE, ago, attempt, exact_usd, header, none_if_all, options_with_all,
                             signed_usd, table, usd, when)
from ui.context import get_orchestrator, require_admin

user = require_admin()
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
header("Users", "Find an account, change its plan or role, (de)activate it, or top up its prepaid credit.")

ROLE = {"user": "user", "admin": "admin", "super_admin": "super admin"}
plan_list = list_plans(orch)
plan_names = {p.code: p.name for p in plan_list}

f1, f2, f3, f4 = st.columns([3, 1, 1, 1])
query = f1.text_input("Search", placeholder="email or name", key="user_query")
plan_filter = none_if_all(f2.selectbox("Plan", options_with_all(list(plan_names)), key="user_plan_filter"))
role_filter = none_if_all(f3.selectbox("Role", options_with_all(list(ROLES)), key="user_role_filter"))
status = f4.selectbox("Status", ["All", "Active", "Inactive"], key="user_status_filter")
active = None if status == "All" else status == "Active"

page_size = 25
count = admin_users.search_users(orch, query=query, plan=plan_filter, role=role_filter, active=active,
                                 page=1, page_size=1).total
pages = max(1, -(-count // page_size))
result = admin_users.search_users(orch, query=query, plan=plan_filter, role=role_filter, active=active,
                                  page=min(st.session_state.get("user_page", 1), pages), page_size=page_size)
st.caption(f"{result.total:,} user(s)" + (f" · page {result.page} of {result.pages}" if result.pages > 1 else ""))
st.dataframe(table([{
    "Email": u.email, "Name": u.name, "Role": ROLE.get(u.role, u.role), "Plan": u.plan_name,
    "Status": ACTIVE if u.is_active else INACTIVE, "Credit": usd(u.credit_usd),
    "Overrides": "✎ yes" if u.has_overrides else "", "Last sign-in": ago(u.last_login_at),
    "Joined": when(u.created_at)[:10],
} for u in result.rows]), hide_index=True, width="stretch",
    column_config={"Email": st.column_config.TextColumn(width="medium"),
                   "Name": st.column_config.TextColumn(width="medium"),
                   "Credit": st.column_config.TextColumn(help="Prepaid credit, rounded for reading; pick the user "
                                                         "below for the exact balance")})
if result.pages > 1:
    st.pagination(result.pages, key="user_page")

if not result.rows:
    st.info("No user matches.")
else:
    st.subheader("Manage")
    email = st.selectbox("User", [u.email for u in result.rows], key="user_pick")
    detail = admin_users.user_detail(orch, email=email)
    u = detail.user
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Plan", u.plan_name)
    m2.metric("Role", ROLE.get(u.role, u.role))
    m3.metric("Status", "active" if u.is_active else "inactive")
    m4.metric("Credit", usd(u.credit_usd), f"{usd(u.credit_held_usd)} held" if u.credit_held_usd else None,
              delta_color="off", delta_arrow="off", help=f"Exactly {exact_usd(u.credit_usd)}"
              + (f", of which {exact_usd(u.credit_held_usd)} held for requests in progress"
                 if u.credit_held_usd else ""))
    is_self = u.email == user.email
    left, right = st.columns(2, gap="large")
    with left:
        p1, p2 = st.columns([2, 1], vertical_alignment="bottom")
        new_plan = p1.selectbox("Plan", list(plan_names), index=list(plan_names).index(u.plan),
                                format_func=plan_names.get, key=f"set_plan:{u.email}")
        if p2.button("Change plan", key="change_plan", disabled=new_plan == u.plan):
            attempt(lambda: admin_users.change_plan(orch, email=u.email, plan=new_plan, actor=actor),
                    success=f"{u.email} is now on {plan_names[new_plan]}.")
        r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
        new_role = r1.selectbox("Role", list(ROLES), index=list(ROLES).index(u.role), format_func=ROLE.get,
                                key=f"set_role:{u.email}", disabled=is_self,
                                help="You cannot change your own role." if is_self else None)
        if r2.button("Change role", key="change_role", disabled=is_self or new_role == u.role):
            attempt(lambda: admin_users.change_role(orch, email=u.email, role=new_role, actor=actor),
                    success=f"{u.email} is now {ROLE[new_role]}.")
        if u.is_active:
            if st.button("Deactivate account", key="deactivate_user", icon=":material/block:", disabled=is_self):
                attempt(lambda: admin_users.change_active(orch, email=u.email, active=False, actor=actor),
                        success=f"{u.email} is deactivated: they are signed out and cannot sign in.")
        elif st.button("Activate account", key="activate_user", icon=":material/check_circle:", type="primary"):
            attempt(lambda: admin_users.change_active(orch, email=u.email, active=True, actor=actor),
                    success=f"{u.email} is active again.")
    with right:
        uses_credit = next((p.uses_credit for p in plan_list if p.code == u.plan), False)
        with st.form(f"top_up:{u.email}", clear_on_submit=True):
            st.markdown("**Top up prepaid credit**" + ("" if uses_credit else " · _not on a credit plan_"))
            t1, t2 = st.columns([1, 2])
            amount = t1.text_input("Amount (USD)", placeholder="10.00", key="top_up_amount")
            note = t2.text_input("Note", placeholder="e.g. invoice 2025-014", key="top_up_note")
            top_up = st.form_submit_button("Top up", type="primary", icon=":material/add_card:")
        if top_up:
            attempt(lambda: admin_users.top_up(orch, email=u.email, amount_usd=amount, note=note, actor=actor),
                    success=lambda info: f"Added ${amount.strip().lstrip('$')} to {u.email}: "
                    f"balance {usd(info.credit_usd)}.")
    st.markdown("**Credit ledger** (newest first)")
    if detail.credit:
        st.dataframe([{"When": when(c.timestamp), "Amount": signed_usd(c.amount_usd),
                       "Exact": exact_usd(c.amount_usd), "Kind": c.kind, "Note": c.note, "By": c.actor,
                       "Request": c.request_id or ""} for c in detail.credit],
                     hide_index=True, width="stretch",
                     column_config={"When": st.column_config.TextColumn(width=130),
                                    "Exact": st.column_config.TextColumn(help="The amount exactly as the ledger "
                                                                         "has it"),
                                    "Note": st.column_config.TextColumn(width="medium"),
                                    "By": st.column_config.TextColumn(width="medium")})
    else:
        st.caption("No credit movements.")

with st.expander("Add a user", icon=":material/person_add:"):
    with st.form("add_user", clear_on_submit=True):
        a1, a2 = st.columns(2)
        new_email = a1.text_input("Email", key="new_user_email")
        new_name = a2.text_input("Name", key="new_user_name")
        a3, a4, a5 = st.columns(3)
        add_plan = a3.selectbox("Plan", list(plan_names), format_func=plan_names.get, key="new_user_plan")
        add_role = a4.selectbox("Role", list(ROLES), format_func=ROLE.get, key="new_user_role")
        password = a5.text_input("Initial password", type="password", key="new_user_password")
        add = st.form_submit_button("Add user", icon=":material/person_add:")
    if add:
        st.session_state.pop("new_user_password", None)
        attempt(lambda: admin_users.create_user(orch, email=new_email, name=new_name, plan=add_plan, role=add_role,
                                                password=password or None, actor=actor),
                success=lambda info: f"Added {info.email} ({info.plan_name}).")
