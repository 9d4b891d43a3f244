"""Plan and usage: the plan, what is left of today's and this month's quota, the credit
balance (pay as you go) and buying credit, changing plan and invoices (``ui/user_billing.py``),
the last 30 days of the user's own usage, document costs, and the user's personal API tokens
(``ui/user_tokens.py``)."""

import math
from datetime import UTC, datetime

import plotly.graph_objects as go
import streamlit as st

from orchestrator.services.user import account
from ui.context import get_orchestrator, require_user
from ui.user_common import call, fmt_usd, fmt_when, show_flash
from ui.user_drafting import model_label
from ui.user_billing import buy_credit_form, change_plan_section, fee_label, invoices_section
from ui.user_privacy import privacy_note
from ui.user_tokens import tokens_section

user = require_user()
orch = get_orchestrator()
show_flash()

st.title("Plan and usage", anchor=False)
status = call(lambda: account.account_status(orch, user=user.id))
if status is None:
    st.stop()

st.markdown(f"### {status.plan_name} · {fee_label(status.monthly_fee_usd, status.uses_credit)}")
if status.plan_description:
    st.caption(status.plan_description)
st.caption(f"Your plan keeps the prompts and answers of your requests for {status.keeps_payloads_days} days, "
           "with your name and contact details removed, so an administrator can look into problems."
           if status.keeps_payloads_days else "Your plan does not keep the prompts and answers of your requests.")
privacy_note(status)


def _amount(line: account.QuotaLine, value) -> str:
    if line.unit == "usd":
        return fmt_usd(value)
    return f"{value:,}"


def _until(when: datetime) -> str:
    hours = max((when - datetime.now(UTC)).total_seconds() / 3600, 0)
    return f"in {hours:.0f} h" if hours < 48 else f"in {hours / 24:.0f} days"


def quota_card(line: account.QuotaLine, col) -> None:
    with col.container(border=True):
        st.markdown(f"**{line.label}**")
        if line.unlimited:
            st.progress(0.0, text=f"{_amount(line, line.used)} used · no limit on your plan")
            return
        left = _amount(line, line.remaining)
        st.progress(line.fraction_used, text=f"{left} left of {_amount(line, line.limit)}")
        st.caption(f"Resets {fmt_when(line.resets_at)} ({_until(line.resets_at)})")


cols = st.columns(3)
for line, col in zip((status.requests_today, status.tokens_month, status.cost_month), cols, strict=True):
    quota_card(line, col)

if status.uses_credit:
    with st.container(border=True):
        c1, c2, c3 = st.columns(3)
        c1.metric("Credit balance", fmt_usd(status.credit_available_usd, unpriced="—"))
        c2.metric("Held for requests in progress", fmt_usd(status.credit_held_usd or 0))
        c3.metric("Price", f"AI cost + {status.markup_pct}%")
        if status.credit_available_usd is not None and status.credit_available_usd <= 0:
            st.warning("Your credit is used up. Buy credit below to keep drafting.",
                       icon=":material/account_balance_wallet:")
        else:
            st.caption("Each CV, letter or extraction is charged from this balance at its exact AI cost plus "
                       "the plan's markup. Failed attempts are never charged.")
        buy_credit_form(orch, user)

change_plan_section(orch, user)
invoices_section(orch, user)

st.subheader("Your last 30 days", anchor=False)
days = call(lambda: account.usage_by_day(orch, user=user.id, days=30)) or []
total_requests = sum(d.requests for d in days)
if not total_requests:
    st.info("No usage in the last 30 days yet.", icon=":material/info:")
else:
    spend = sum((d.charged_usd if status.uses_credit else d.cost_usd) for d in days)
    m1, m2, m3 = st.columns(3)
    m1.metric("Requests", f"{total_requests:,}")
    m2.metric("Tokens", f"{sum(d.tokens for d in days):,}")
    m3.metric("Charged" if status.uses_credit else "AI cost", fmt_usd(spend))
    money = [float(d.charged_usd if status.uses_credit else d.cost_usd) for d in days]
    x = [d.day.isoformat() for d in days]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=[d.requests for d in days], name="Requests", marker_color="#4C78A8",
                         customdata=[d.tokens for d in days],
                         hovertemplate="%{x}<br>%{y} requests<br>%{customdata:,} tokens<extra></extra>"))
    if any(money):
        fig.add_trace(go.Scatter(x=x, y=money, name="Charged" if status.uses_credit else "AI cost", yaxis="y2",
                                 mode="lines", line={"color": "#F58518", "width": 2},
                                 hovertemplate="%{x}<br>$%{y:.4f}<extra></extra>"))
    fig.update_layout(height=280, margin={"l": 10, "r": 10, "t": 10, "b": 10}, bargap=0.25,
                      legend={"orientation": "h", "y": 1.12, "x": 0}, showlegend=any(money),
                      yaxis={"title": "requests", "rangemode": "tozero",
                             "dtick": max(1, math.ceil(max(d.requests for d in days) / 4))},
                      yaxis2={"title": "USD", "overlaying": "y", "side": "right", "rangemode": "tozero",
                              "showgrid": False, "tickprefix": "$", "tickformat": ",.4~f"})
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})

st.subheader("What each document cost", anchor=False)
costs = call(lambda: account.document_costs(orch, user=user.id, limit=50)) or []
if not costs:
    st.caption("Nothing yet: extract a job or draft a document and its cost shows here.")
else:
    rows = [{"Date": c.created_at.strftime("%Y-%m-%d %H:%M"), "What": c.kind_label, "Title": c.title,
             "Model": model_label(c.provider, c.model), "AI cost": fmt_usd(c.cost_usd),
             **({"Charged": fmt_usd(c.charged_usd)} if status.uses_credit else {})} for c in costs]
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption("Costs are exact, from the provider's token counts and the price list. “unpriced” means the "
               "model has no price yet; it is never shown as $0.")

tokens_section(orch, user)
