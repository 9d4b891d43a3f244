"""The Models & prices page's price book sections: the prices in force with every key,
the version history, a price change with its preview (diff, 30-day cost, margin per plan)
before it is saved, confirmation of large jumps, scheduling, re-pricing a past period
(dry run, then apply) and the sync with genai-prices.

Pages stay thin: every number comes from ``services.admin.price_changes`` /
``price_sync``; money is shown readable (``ui.admin_common.usd``) with the exact value
(``exact_usd``) in the tooltip or next to it, never float.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from orchestrator.pricing import PRICE_KEYS
from orchestrator.services.admin import catalog, price_changes, price_sync
from ui.admin_common import attempt, exact_usd, flash, per_mtok, signed_exact_usd, signed_usd, table, usd, when

# the named prices keep their historical widget keys
FIELD = {"input_mtok": "price_in", "output_mtok": "price_out", "cache_read_mtok": "price_cached",
         "cache_write_mtok": "price_write"}
PREVIEW = "price_preview"
REPRICE = "reprice_dry_run"
SYNC = "price_sync"


def _base(value: Any) -> str:
    return str(value).split(" ")[0] if value is not None else ""


def prices_in_force(pick: catalog.CatalogRow) -> None:
    rows = [{"Price": PRICE_KEYS.get(k, k), "Key": k, "$ / 1M tokens": per_mtok(Decimal(_base(v))),
             "Tiers": "tiered" if "tiers" in str(v) else ""} for k, v in pick.prices.items()]
    st.dataframe(table(rows, ["Price", "Key", "$ / 1M tokens", "Tiers"]), hide_index=True, width="stretch")
    if pick.scheduled_version:
        st.info(f"Version {pick.scheduled_version} is scheduled from {when(pick.scheduled_from)} UTC.",
                icon=":material/schedule:")


def history(orch, pick: catalog.CatalogRow) -> None:
    versions = price_changes.price_history(orch, kind=pick.kind, model=pick.model)
    rows = [{"Version": v.version, "Status": {"in force": "● in force", "scheduled": "◐ scheduled"}.get(
        v.status, "○ past"),
        # the first seeded version covers all history (migration 0007 / seeding start it in 2000)
        "Effective from": "the start" if v.effective_from.year <= 2000 else when(v.effective_from),
        "Source": v.source, "By": v.created_by or "—",
        "Prices": " · ".join(f"{PRICE_KEYS.get(k, k)} {_price_text(p)}" for k, p in v.prices.items()) or "⚠ unpriced",
        "Note": v.note or ""} for v in versions]
    text = st.column_config.TextColumn
    st.dataframe(table(rows, ["Version", "Status", "Effective from", "Source", "By", "Prices", "Note"]),
                 hide_index=True, width="stretch",
                 column_config={"Version": text(width=60), "Status": text(width=90), "Effective from": text(width=120),
                                "Source": text(width=90), "By": text(width=140), "Prices": text(width=330)})


def _price_text(value: Any) -> str:
    """'$0.15', or '$1.25 (tiered)' for a stored price with tiers."""
    if isinstance(value, dict):
        return f"{per_mtok(Decimal(str(value['base'])))} (tiered)"
    base = _base(value)
    return (per_mtok(Decimal(base)) if base else "—") + (" (tiered)" if "tiers" in str(value) else "")


def change_form(orch, actor, pick: catalog.CatalogRow) -> None:
    """The price-change form: Preview first; Save appears under the preview."""
    ident = f"{pick.kind}:{pick.model}"
    current = {k: _base(v) for k, v in pick.prices.items()}
    shown = [*FIELD, *[k for k in current if k not in FIELD]]
    with st.form(f"price_{pick.kind}_{pick.model}"):
        cols = st.columns(2)
        typed: dict[str, str] = {}
        for i, key in enumerate(shown):
            typed[key] = cols[i % 2].text_input(f"{PRICE_KEYS.get(key, key)} $ / 1M", value=current.get(key, ""),
                                                key=f"{FIELD.get(key, 'price')}:{ident}"
                                                if key in FIELD else f"price:{key}:{ident}")
        with st.expander("More prices (audio, image, 1-hour cache writes...)"):
            more = st.columns(2)
            for i, key in enumerate(k for k in PRICE_KEYS if k not in shown):
                typed[key] = more[i % 2].text_input(f"{PRICE_KEYS[key]} $ / 1M", value="",
                                                    key=f"price:{key}:{ident}")
        f1, f2 = st.columns(2)
        start = f1.text_input("Effective from (UTC; empty: now)", key=f"price_from:{ident}",
                              placeholder="e.g. 2026-12-01 00:00")
        note = f2.text_input("Note (optional)", key=f"price_note:{ident}")
        st.caption("Only the prices you change are changed; an empty field removes that price. Changing a "
                   "tiered price makes it flat.")
        go = st.form_submit_button("Preview change", type="primary", icon=":material/preview:")
    if go:
        changes = {k: v.strip() for k, v in typed.items() if v.strip() != current.get(k, "")}
        st.session_state.pop(PREVIEW, None)
        if not changes:
            st.info("Nothing changed.")
        else:
            result = attempt(lambda: price_changes.preview_price_change(orch, kind=pick.kind, model=pick.model,
                                                                        prices=changes))
            if result is not None:
                st.session_state[PREVIEW] = (ident, changes, start, note, result)


def pending_preview(orch, actor, pick: catalog.CatalogRow) -> None:
    """The preview of the change typed in ``change_form`` (full width, under the form's columns)."""
    saved = st.session_state.get(PREVIEW)
    if saved and saved[0] == f"{pick.kind}:{pick.model}":
        _preview(orch, actor, pick, *saved[1:])


def _preview(orch, actor, pick, changes: dict, start: str, note: str, p: price_changes.PricePreview) -> None:
    st.markdown("**Preview**")
    st.dataframe(table([{"Price": c.label, "Now": per_mtok(c.old) if c.old is not None else "unset",
                         "New": per_mtok(c.new) if c.new is not None else "unset",
                         "Ratio": f"×{c.ratio.quantize(Decimal('0.01'))}" if c.ratio is not None else "—",
                         "Check": f"⚠ {c.jump}" if c.jump else "✔"} for c in p.changes],
                       ["Price", "Now", "New", "Ratio", "Check"]), hide_index=True, width="stretch")
    m1, m2, m3 = st.columns(3)
    m1.metric("Calls in the window", f"{p.rows:,}", f"{p.start} to {p.end} (UTC)", delta_color="off",
              delta_arrow="off")
    m2.metric("Cost as recorded", usd(p.old_cost_usd), help=f"Exactly {exact_usd(p.old_cost_usd)}")
    m3.metric("Cost with the new prices", usd(p.new_cost_usd),
              signed_usd(p.delta_usd) if p.delta_usd else "no change", delta_color="inverse",
              delta_arrow="auto" if p.delta_usd else "off", help=f"Exactly {exact_usd(p.new_cost_usd)}"
              + (f" ({signed_exact_usd(p.delta_usd)})" if p.delta_usd else ""))
    rounded = st.column_config.TextColumn(help="Rounded for reading (prorated fees have endless decimals)")
    st.dataframe(table([{"Plan": x.plan, "Revenue": usd(x.revenue_usd), "AI cost now": usd(x.cost_before_usd),
                         "AI cost new": usd(x.cost_after_usd), "Margin now": usd(x.margin_before_usd),
                         "Margin new": usd(x.margin_after_usd)} for x in p.plans],
                       ["Plan", "Revenue", "AI cost now", "AI cost new", "Margin now", "Margin new"]),
                 hide_index=True, width="stretch",
                 column_config={c: rounded for c in ("Revenue", "AI cost now", "AI cost new", "Margin now",
                                                     "Margin new")})
    confirm = False
    if p.needs_confirmation:
        confirm = st.checkbox("I confirm the large price change (above 10×, below 0.1×, removed or to/from $0)",
                              key="price_confirm")
    if st.button("Save price change", type="primary", icon=":material/sell:", key="price_save"):
        row = attempt(lambda: catalog.set_price(orch, kind=pick.kind, model=pick.model, prices=changes,
                                                effective_from=start or None, note=note or None, confirm=confirm,
                                                actor=actor), rerun=False)
        if row is not None:
            st.session_state.pop(PREVIEW, None)
            for key in list(st.session_state):
                if isinstance(key, str) and key.endswith(f":{pick.kind}:{pick.model}") and key.startswith("price"):
                    del st.session_state[key]  # show the saved prices, not the typed ones
            flash(f"Prices of {pick.model} saved as version "
                  f"{row.scheduled_version if start else row.price_version}.")
            st.rerun()


def reprice_form(orch, actor, pick: catalog.CatalogRow) -> None:
    versions = price_changes.price_history(orch, kind=pick.kind, model=pick.model)
    today = datetime.now(UTC).date()
    with st.form(f"reprice_{pick.kind}_{pick.model}"):
        r1, r2, r3 = st.columns(3)
        first = r1.date_input("From (UTC, inclusive)", value=today - timedelta(days=7), key="reprice_from")
        last = r2.date_input("To (UTC, exclusive)", value=today, key="reprice_to")
        labels = {f"v{v.version} · {v.status} · {v.source}": v.version for v in versions}
        version = r3.selectbox("With version", list(labels), key="reprice_version")
        reason = st.text_input("Reason (kept on the run and in the audit log)", key="reprice_reason")
        dry = st.form_submit_button("Dry run", icon=":material/science:")
    params = (pick.kind, pick.model, first, last, labels.get(version), reason.strip())
    if dry:
        res = attempt(lambda: price_changes.reprice(orch, kind=pick.kind, model=pick.model, start=first, end=last,
                                                    version=labels.get(version), reason=reason, actor=actor))
        st.session_state[REPRICE] = (params, res) if res is not None else None
    done = st.session_state.get(REPRICE)
    if not done or done[0][:2] != params[:2]:
        return
    res = done[1]
    st.markdown(f"**Dry run**: {res.rows:,} of {res.scanned:,} calls would change, "
                f"{usd(res.old_total_usd)} → {usd(res.new_total_usd)} "
                f"({signed_usd(res.new_total_usd - res.old_total_usd)}), in {res.batches:,} batch(es). "
                "What users were charged does not change.",
                help=f"Exactly {exact_usd(res.old_total_usd)} → {exact_usd(res.new_total_usd)} "
                f"({signed_exact_usd(res.new_total_usd - res.old_total_usd)})")
    if done[0] != params:
        st.caption("The form changed since the dry run: run it again before applying.")
    elif res.rows and st.button("Apply re-pricing", type="primary", key="reprice_apply", icon=":material/done_all:"):
        st.session_state.pop(REPRICE, None)
        attempt(lambda: price_changes.reprice(orch, kind=pick.kind, model=pick.model, start=first, end=last,
                                              version=labels.get(version), reason=reason, confirm=True, actor=actor),
                success=lambda r: f"Re-priced {r.rows:,} calls (run {r.run_id}): {usd(r.old_total_usd)} → "
                f"{usd(r.new_total_usd)} (exactly {exact_usd(r.old_total_usd)} → {exact_usd(r.new_total_usd)}).")


def sync_section(orch, actor) -> None:
    st.caption("Compares the prices in force with the installed genai-prices snapshot. Admin overrides are "
               "shown, never overwritten; applying records each difference as a new version (source sync).")
    if st.button("Compare with genai-prices", icon=":material/sync:", key="sync_check"):
        st.session_state[SYNC] = attempt(lambda: price_sync.sync(orch, actor=actor))
    items = [i for i in st.session_state.get(SYNC) or [] if i.status != "current"]
    if SYNC not in st.session_state:
        return
    rows = [{"Model": f"{i.kind} · {i.model}", "Status": price_sync.SYNC_NOTES[i.status],
             "Price": c.label, "Ours": per_mtok(c.old) if c.old is not None else "unset",
             "genai-prices": per_mtok(c.new) if c.new is not None else "unset"}
            for i in items for c in (i.changes or [None]) if c is not None] + [
        {"Model": f"{i.kind} · {i.model}", "Status": price_sync.SYNC_NOTES[i.status], "Price": "—", "Ours": "—",
         "genai-prices": "—"} for i in items if not i.changes]
    if not rows:
        st.success("Every price matches genai-prices.")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if any(i.status == "stale" for i in items) and st.button("Apply sync", type="primary", key="sync_apply"):
        st.session_state.pop(SYNC, None)
        attempt(lambda: price_sync.sync(orch, apply=True, actor=actor),
                success=lambda r: f"Synced {sum(1 for i in r if i.applied_version)} model(s) with genai-prices.")
