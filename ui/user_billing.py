"""The self-service parts of Plan and usage: change plan (upgrade, downgrade, cancel, after a
confirmation that says what is charged or refunded), buy credit (pay as you go) and invoices.

Each purchase carries an idempotency key kept in the session and replaced once the purchase is
done, so a double click (or a rerun) never charges twice; the services enforce it."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pandas as pd
import streamlit as st

from orchestrator.safe_markdown import plain_label
from orchestrator.services.user import billing, plan_change
from ui.user_common import call, flash, fmt_usd

CONFIRM = "plan_change_target"
KEY = "billing_idempotency_key"
OTHER = "Other amount"


def fee_label(fee: Decimal, uses_credit: bool) -> str:
    if fee:
        return f"{fmt_usd(fee)} a month"
    return "pay per use" if uses_credit else "free"


def _key() -> str:
    return st.session_state.setdefault(KEY, f"ui-{uuid.uuid4().hex}")


def _done() -> None:
    st.session_state.pop(KEY, None)  # the next purchase is a new one


def _limits(o: plan_change.PlanOption) -> str:
    parts = [f"{o.requests_per_day:,} requests a day" if o.requests_per_day is not None else "no daily request limit",
             f"{o.tokens_per_month:,} tokens a month" if o.tokens_per_month is not None else "no token limit"]
    if o.uses_credit:
        parts.append(f"AI cost + {o.markup_pct}% from your credit")
    return " · ".join(parts)


def _confirm(orch, user, target: plan_change.PlanOption) -> None:
    q = call(lambda: plan_change.quote(orch, user=user.id, to_plan=target.code))
    if q is None:
        st.session_state.pop(CONFIRM, None)
        return
    lines = [f"Your plan changes to **{plain_label(target.name)}** now."]
    if q.charge_usd:
        lines.append(f"You pay **{fmt_usd(q.charge_usd)}** today for the rest of this month (to "
                     f"{q.through:%d %b}), then {fmt_usd(target.monthly_fee_usd)} a month.")
    if q.refund_usd:
        lines.append(f"The unused days of your current plan are refunded: **{fmt_usd(q.refund_usd)}**.")
    if not q.charge_usd and not q.refund_usd:
        lines.append("Nothing is charged.")
    with st.container(border=True):
        st.markdown(" ".join(lines))
        c1, c2, _ = st.columns([1, 1, 2])
        verb = "Cancel my plan" if q.direction == "cancel" else f"Switch to {plain_label(target.name)}"
        label = f"{verb} · pay {fmt_usd(q.charge_usd)}" if q.charge_usd else verb
        if c1.button(label, type="primary", key="plan_change_yes", width="stretch"):
            done = call(lambda: plan_change.change_plan(orch, user=user.id, to_plan=target.code,
                                                        idempotency_key=_key(),
                                                        reason="cancel" if q.direction == "cancel" else ""))
            if done is not None:
                _done()
                st.session_state.pop(CONFIRM, None)
                flash(f"You are now on {target.name}.")
                st.rerun()
        if c2.button("Keep my plan", key="plan_change_no", width="stretch"):
            st.session_state.pop(CONFIRM, None)
            st.rerun()


def change_plan_section(orch, user) -> None:
    options = call(lambda: plan_change.plan_options(orch, user=user.id)) or []
    if len(options) < 2:
        return
    st.subheader("Change plan", anchor=False)
    st.caption("A change takes effect at once. A plan with a monthly fee is charged for the rest of this month, "
               "pro rata; leaving one refunds its unused days. Cancelling takes you back to the free plan.")
    pending = st.session_state.get(CONFIRM)
    by_code = {o.code: o for o in options}
    if pending in by_code and not by_code[pending].current:
        _confirm(orch, user, by_code[pending])
    current = next((o for o in options if o.current), None)
    cols = st.columns(len(options))
    for o, col in zip(options, cols, strict=True):
        with col.container(border=True):
            st.markdown(f"**{plain_label(o.name)}** · {fee_label(o.monthly_fee_usd, o.uses_credit)}")
            st.caption(_limits(o))
            if o.current:
                st.button("Your plan", key=f"plan_{o.code}", disabled=True, width="stretch")
                continue
            up = current is None or options.index(o) > options.index(current)  # plans come in their order
            cancel = (current is not None and current.monthly_fee_usd and not o.monthly_fee_usd
                      and not o.uses_credit)
            text = "Cancel plan" if cancel else ("Upgrade" if up else "Switch") + f" to {plain_label(o.name)}"
            kind = "primary" if up and not cancel else "secondary"
            if st.button(text, key=f"plan_{o.code}", width="stretch", type=kind):
                st.session_state[CONFIRM] = o.code
                st.rerun()


def buy_credit_form(orch, user) -> None:
    presets = [fmt_usd(a) for a in billing.PRESET_AMOUNTS_USD]
    with st.form("buy_credit", border=False):
        c1, c2, c3 = st.columns([3, 2, 1], vertical_alignment="bottom")
        pick = c1.segmented_control("Buy credit", [*presets, OTHER], default=presets[1], key="credit_preset")
        other = c2.text_input(f"{OTHER} (dollars)", placeholder="e.g. 20", key="credit_other",
                              help=f"From {fmt_usd(billing.MIN_PURCHASE_USD)} to {fmt_usd(billing.MAX_PURCHASE_USD)}, "
                                   "in whole cents.")
        submitted = c3.form_submit_button("Buy", type="primary", icon=":material/add_card:", width="stretch")
    if not submitted:
        return
    amount = other if pick == OTHER or (pick is None and other) else (pick or "")
    done = call(lambda: billing.buy_credit(orch, user=user.id, amount=amount, idempotency_key=_key()))
    if done is not None:
        _done()
        flash(f"{fmt_usd(done.invoice.amount_usd)} of credit added. Your balance is {fmt_usd(done.balance_usd)}.")
        st.rerun()


def invoices_section(orch, user) -> None:
    invoices = call(lambda: billing.invoices(orch, user=user.id, limit=20)) or []
    if not invoices:
        return
    st.subheader("Invoices", anchor=False)
    rows = [{"Date": i.created_at.strftime("%Y-%m-%d %H:%M UTC"), "For": i.description,
             "Amount": fmt_usd(i.amount_usd) if i.amount_usd >= 0 else f"−{fmt_usd(-i.amount_usd)}",
             "Status": {"succeeded": "paid" if i.amount_usd >= 0 else "refunded"}.get(i.status, i.status),
             "Reference": i.provider_ref or ""} for i in invoices]
    st.table(pd.DataFrame(rows).set_index("Date"))  # a few rows, in the page's text (not a canvas grid)
    if invoices[0].provider == "demo":
        st.caption("Demo payments: they complete at once and no money changes hands.")
