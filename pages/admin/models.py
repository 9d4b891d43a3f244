"""Models and prices: the catalog, price changes with their preview and history, re-pricing a past
period, the sync with genai-prices, new models, (de)activation (price sections in ``ui.admin_prices``)."""

import pandas as pd
import streamlit as st

from orchestrator.safe_markdown import plain_label
from orchestrator.services.admin import catalog
from orchestrator.services.actor import Actor
from orchestrator.services.admin.providers import provider_kinds
from ui import admin_prices as prices
from ui.admin_common import (ACTIVE, INACTIVE, OVERRIDE, UNPRICED, attempt, header, none_if_all, options_with_all,
                             per_mtok, tone)
from ui.context import get_orchestrator, require_admin

user = require_admin()
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
header("Models & prices", "Prices per million tokens, from genai-prices' bundled snapshot unless an admin "
       "overrides them; every change is a new version from its effective time. A model without a price is "
       "logged as unpriced (unknown cost), never as $0.")

models = catalog.list_models(orch)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Models", f"{len(models):,}")
m2.metric("Active", f"{sum(m.is_active for m in models):,}")
m3.metric("Unpriced", f"{sum(not m.priced for m in models):,}", help="Their cost is recorded as unknown.")
m4.metric("Admin overrides", f"{sum(m.is_override for m in models):,}")

KINDS = {k.name: k.label for k in provider_kinds()}
f1, f2, f3 = st.columns([2, 2, 3])
kind = none_if_all(f1.selectbox("Provider kind", options_with_all(list(KINDS)), key="cat_kind",
                                format_func=lambda k: KINDS.get(k, k)))
show_inactive = f2.toggle("Show inactive", value=True, key="cat_inactive")
only_unpriced = f3.toggle("Only unpriced", value=False, key="cat_unpriced")

def _providers(names: list[str]) -> str:
    """'anthropic', 'demo-openai +2' (all of them in the tooltip column help and under Edit a model)."""
    return (names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "")) if names else "—"


SOURCE = {"genai-prices": "genai-prices", "admin": OVERRIDE, "builtin": "built in"}
shown = [m for m in models if (kind is None or m.kind == kind) and (show_inactive or m.is_active)
         and (not only_unpriced or not m.priced)]
table = pd.DataFrame([{
    "Kind": m.kind, "Providers": _providers(m.providers), "Model": m.model, "Tier": m.tier,
    "Input / 1M": per_mtok(m.input_usd_per_mtok) if m.priced else UNPRICED,
    "Output / 1M": per_mtok(m.output_usd_per_mtok) if m.priced else UNPRICED,
    "Cached input / 1M": per_mtok(m.cached_input_usd_per_mtok),
    "Context": f"{m.context_window:,}" if m.context_window else "—",
    "Vision": "✔ yes" if m.supports_vision else "— no", "Active": ACTIVE if m.is_active else INACTIVE,
    "Price source": SOURCE.get(m.price_source or "", UNPRICED) + (" · tiered" if m.has_price_tiers else ""),
    "Version": (f"v{m.price_version}" if m.price_version else "—")
    + (f" → v{m.scheduled_version}" if m.scheduled_version else ""),
} for m in shown], columns=["Kind", "Providers", "Model", "Tier", "Input / 1M", "Output / 1M", "Cached input / 1M",
                            "Context", "Vision", "Active", "Price source", "Version"])


def _highlight(row: pd.Series) -> list[str]:
    if "unpriced" in row["Price source"]:
        return ["background-color: rgba(255, 170, 0, 0.18)"] * len(row)
    if "override" in row["Price source"]:
        return ["background-color: rgba(90, 140, 255, 0.10)"] * len(row)
    return [""] * len(row)


# (label, width in px): fits 1440 px wide; "Reads images" is under Edit a model
WIDTHS = {"Kind": (None, 112), "Providers": (None, 112), "Model": (None, 145), "Tier": (None, 58),
          "Input / 1M": ("Input", 58), "Output / 1M": ("Output", 62), "Cached input / 1M": ("Cached", 62),
          "Context": (None, 80), "Active": (None, 80), "Price source": (None, 140), "Version": (None, 64)}
HELP = {"Input / 1M": "Dollars per million input tokens", "Output / 1M": "Dollars per million output tokens",
        "Cached input / 1M": "Dollars per million cached input tokens", "Context": "Context window in tokens",
        "Providers": "The providers serving this model (+N: more; all of them under Edit a model)"}
st.dataframe(table.style.apply(_highlight, axis=1).map(tone), hide_index=True, width="stretch",
             height=min(38 + 35 * max(len(table), 1), 600), column_order=list(WIDTHS),
             column_config={name: st.column_config.TextColumn(label, width=w, help=HELP.get(name))
                            for name, (label, w) in WIDTHS.items()})
st.caption("Orange rows are unpriced · blue rows carry an admin price override · tiered: the price rises "
           "above a prompt-size threshold (genai-prices tiers).")

tab_edit, tab_history, tab_reprice, tab_sync, tab_add = st.tabs(
    ["Edit a model", "Price history", "Re-price a past period", "Sync with genai-prices", "Add a model"])
with tab_edit:
    labels = {f"{m.kind} · {m.model}": m for m in models}
    if not labels:
        st.info("The catalog is empty.")
        st.stop()
    pick = labels[st.selectbox("Model", list(labels), key="cat_pick")]
    st.markdown(f"**{pick.display_name}** — {pick.kind}, tier *{pick.tier}*, "
                + (f"served by {plain_label(', '.join(pick.providers))}, " if pick.providers else "")
                + (":blue[admin override]" if pick.is_override else
                   (":orange[**unpriced**]" if not pick.priced else f"priced by {pick.price_source}"))
                + (f" (genai-prices id `{pick.genai_prices_ref}`)" if pick.genai_prices_ref else ""))
    left, right = st.columns(2, gap="large")
    with left:
        ident = f"{pick.kind}:{pick.model}"
        st.subheader("Prices in force" + (f" (version {pick.price_version})" if pick.price_version else ""))
        prices.prices_in_force(pick)
        st.subheader("Change prices")
        prices.change_form(orch, actor, pick)
        if pick.is_override and st.button("Clear override (re-price from genai-prices)", icon=":material/undo:",
                                          key="clear_override"):
            for field in list(st.session_state):
                if isinstance(field, str) and field.startswith("price") and field.endswith(f":{ident}"):
                    del st.session_state[field]  # show the new prices, not the typed ones
            attempt(lambda: catalog.clear_override(orch, kind=pick.kind, model=pick.model, actor=actor),
                    success=lambda r: f"Override cleared: {r.model} is "
                    + ("priced from genai-prices again." if r.priced else "unpriced (genai-prices does not know it)."))
    with right:
        st.subheader("Details")
        with st.form(f"details_{pick.kind}_{pick.model}"):
            tier = st.selectbox("Tier", catalog.TIERS, index=list(catalog.TIERS).index(pick.tier)
                                if pick.tier in catalog.TIERS else 0)
            ctx = st.number_input("Context window (tokens)", min_value=0, value=pick.context_window or 0, step=1000,
                                  help="0: unknown")
            vision = st.toggle("Reads images (vision)", value=pick.supports_vision)
            save_details = st.form_submit_button("Save details", icon=":material/save:")
        if save_details:
            attempt(lambda: catalog.update_model(orch, kind=pick.kind, model=pick.model, tier=tier,
                                                 context_window=int(ctx) or None, supports_vision=vision,
                                                 actor=actor), success=f"Saved {pick.model}.")
        if pick.is_active:
            if st.button("Deactivate model", icon=":material/pause_circle:", key="model_deactivate"):
                attempt(lambda: catalog.set_active(orch, kind=pick.kind, model=pick.model, active=False,
                                                   actor=actor),
                        success=f"{pick.model} is inactive: routing skips it.")
        elif st.button("Activate model", icon=":material/play_circle:", key="model_activate", type="primary"):
            attempt(lambda: catalog.set_active(orch, kind=pick.kind, model=pick.model, active=True, actor=actor),
                    success=f"{pick.model} is active.")

    prices.pending_preview(orch, actor, pick)

with tab_history:
    st.caption(f"Every version of {pick.kind} · {pick.model}'s prices; each ledger row names the version it was "
               "priced with.")
    prices.history(orch, pick)

with tab_reprice:
    st.caption("Re-prices this model's calls in a past period with one version: the cost side of the books "
               "changes (audited, in batches, totals kept per batch); what users were charged never does. "
               "Super admins only.")
    prices.reprice_form(orch, actor, pick)

with tab_sync:
    prices.sync_section(orch, actor)

with tab_add:
    with st.form("add_model", clear_on_submit=True):
        a1, a2, a3 = st.columns([2, 3, 2])
        new_kind = a1.selectbox("Kind", list(KINDS), key="new_model_kind", format_func=lambda k: KINDS.get(k, k))
        new_model = a2.text_input("Model id", placeholder="e.g. gpt-4.1-mini or llama3.1:8b", key="new_model_name")
        new_tier = a3.selectbox("Tier", catalog.TIERS, index=list(catalog.TIERS).index("custom"), key="new_model_tier")
        b1, b2 = st.columns(2)
        new_ctx = b1.number_input("Context window (0: unknown)", min_value=0, value=0, step=1000, key="new_model_ctx")
        new_vision = b2.selectbox("Reads images", (None, True, False), key="new_model_vision",
                                  format_func={None: "Guess from the model name", True: "Yes", False: "No"}.get)
        st.caption("Priced from genai-prices when it knows the model; otherwise it stays unpriced until you "
                   "set a price.")
        add = st.form_submit_button("Add model", type="primary", icon=":material/add:")
    if add:
        attempt(lambda: catalog.add_model(orch, kind=new_kind, model=new_model, tier=new_tier,
                                          context_window=int(new_ctx) or None, supports_vision=new_vision,
                                          actor=actor),
                success=lambda r: f"Added {r.model} ({r.kind}): "
                + ("priced from genai-prices." if r.priced else "unpriced — set its price under 'Edit a model'."))
