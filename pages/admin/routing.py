"""Routing: the plan x task matrix of model chains. Edit a draft, validate, save as a
new version, browse history and revert, and dry-run any two versions (live, draft, saved)
side by side on the same recorded traffic."""

import streamlit as st

from orchestrator.errors import OrchestratorError
from orchestrator.services.admin import catalog, policy
from orchestrator.services.reports import dryrun
from orchestrator.services.actor import Actor
from orchestrator.services.admin.plans import list_plans
from orchestrator.services.admin.providers import list_providers
from orchestrator.tasks import TASKS
from ui import admin_dryrun as dry
from ui import admin_routing as ed
from ui.admin_common import ago, attempt, flash, header, when
from ui.context import get_orchestrator, require_admin

user = require_admin()
actor = Actor.of(user)  # checked again by every service call
orch = get_orchestrator()
header("Routing", "Which models serve each plan and task, in order: the first usable one is tried first, "
       "the next ones are fallbacks. Every save is a new version; the newest is live on the next request.")

live = policy.current(orch)
plans = [p.code for p in list_plans(orch)]
tasks = list(TASKS)
draft = ed.load_draft(live)
summary, matrix_box = st.container(), st.container()  # filled after the editor has updated the draft

with st.container():
    st.subheader("Edit a cell")
    c1, c2 = st.columns(2)
    plan = c1.selectbox("Plan", plans, key="route_plan")
    task = c2.selectbox("Task", tasks, key="route_task")
    provider_names = [p.name for p in list_providers(orch)]
    model_names = sorted({m.model for m in catalog.list_models(orch)})
    ed.chain_editor(plan, task, provider_names, model_names)
    st.caption("Order 1 is tried first. Temperature and max tokens left blank use the task's defaults. "
               "Add rows at the bottom; select rows to delete them.")
    with st.form(f"chain_text_form:{plan}/{task}", border=False):
        t1, t2 = st.columns([5, 1], vertical_alignment="bottom")
        text = t1.text_input("Or type the chain", key=f"chain_text:{plan}/{task}",
                             placeholder="provider:model, provider:model, e.g. "
                                         "gemini:gemini-2.5-flash, offline:offline-engine-v1")
        if t2.form_submit_button("Apply", icon=":material/input:", width="stretch"):
            try:
                ed.set_cell_from_text(plan, task, text)
            except OrchestratorError as exc:
                st.error(str(exc))
            else:
                st.rerun()

changed = ed.changed_cells(draft, live)
with summary:
    m1, m2, m3 = st.columns(3)
    m1.metric("Live version", f"v{live.version}" if live else "none")
    m2.metric("Saved", ago(live.created_at) if live else "—", f"by {live.created_by}" if live else None,
              delta_color="off", delta_arrow="off")
    m3.metric("Unsaved changes", len(changed), ", ".join(changed)[:60] or "draft = live", delta_color="off",
              delta_arrow="off")
with matrix_box:
    st.subheader("Matrix (draft)")
    ed.render_matrix(draft, plans, tasks, changed)
    st.caption(":material/edit: marks cells that differ from the live version.")

b1, b2, b3, _ = st.columns([1, 1, 1, 2])
if b1.button("Validate draft", icon=":material/fact_check:", key="validate"):
    st.session_state["route_warnings"] = policy.validate(orch, ed.to_matrix(st.session_state[ed.DRAFT]))
if b2.button("Reset this cell", icon=":material/undo:", key="reset_cell"):
    ed.reset_cell(plan, task, live)
    st.rerun()
if b3.button("Discard draft", icon=":material/delete_sweep:", key="discard_draft"):
    ed.load_draft(live, force=True)
    st.session_state.pop("route_warnings", None)
    st.rerun()

warnings = st.session_state.get("route_warnings")
if warnings is not None:
    if warnings:
        st.warning("**Validation warnings**\n\n" + "\n".join(f"- {w}" for w in warnings))
    else:
        st.success("Valid: every model is priced and every provider is active.", icon=":material/check_circle:")

with st.form("save_policy"):
    note = st.text_input("What changed and why", key="route_note", placeholder="e.g. cheaper CVs for freemium")
    force = st.checkbox("Save even if there are warnings", key="route_force")
    save = st.form_submit_button("Save as new version", type="primary", icon=":material/save:")
if save:
    matrix = ed.to_matrix(st.session_state[ed.DRAFT])
    found = policy.validate(orch, matrix)
    changed_now = {cell: steps for cell, steps in matrix.items() if ed.cell_key(*cell) in changed}
    if not changed_now:
        flash("Nothing to save: the draft is the live version.", "info")
        st.rerun()
    if found and not force:
        st.session_state["route_warnings"] = found
        flash("Not saved: the draft has warnings (below). Fix them or tick 'Save even if there are warnings'.",
              "warning")
        st.rerun()
    saved = attempt(lambda: policy.save(orch, changed_now, actor=actor, note=note.strip()), rerun=False)
    if saved is not None:
        ed.load_draft(saved, force=True)
        st.session_state.pop("route_warnings", None)
        flash(f"Saved version v{saved.version}: live from the next request.")
        st.rerun()

st.divider()
st.subheader("Dry run: compare two versions")
st.caption("Prices the same recorded requests under version A and under version B, by the same method, "
           "cell by cell: pick the live version, your draft, or any saved version.")
versions = policy.history(orch, limit=50)
by_number = {v.version: v for v in versions}
live_no = live.version if live else None
choices = [dry.DRAFT, *by_number]
d1, d2, d3, d4 = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
pick_a = d1.selectbox("Version A", choices, index=1 if versions else 0, key="dry_a",
                      format_func=lambda c: dry.version_name(c, live_no))
pick_b = d2.selectbox("Version B", choices, index=0, key="dry_b", format_func=lambda c: dry.version_name(c, live_no))
days = d3.selectbox("Recorded traffic", dry.WINDOWS, index=1, key="dry_days", format_func=lambda d: f"last {d} days")
inputs = (pick_a, pick_b, days, live_no, repr(draft) if dry.DRAFT in (pick_a, pick_b) else None)
if d4.button("Run dry run", icon=":material/science:", key="dry_run", width="stretch"):
    def _side(choice):
        if choice == dry.DRAFT:
            return ed.to_matrix(st.session_state[ed.DRAFT]), "draft"
        return by_number[choice].matrix, dry.version_name(choice, live_no)

    (matrix_a, label_a), (matrix_b, label_b) = _side(pick_a), _side(pick_b)
    if label_a == label_b:
        label_a, label_b = f"{label_a} (A)", f"{label_b} (B)"
    st.session_state["dry_run_result"] = attempt(lambda: dryrun.compare(
        orch, matrix_a, matrix_b, label_a=label_a, label_b=label_b, days=days), rerun=False)
    st.session_state["dry_run_inputs"] = inputs
if st.session_state.get("dry_run_result") is not None:
    if st.session_state.get("dry_run_inputs") != inputs:
        st.info("The versions, the window or the draft changed since this run: run it again to see them.",
                icon=":material/refresh:")
    dry.render(st.session_state["dry_run_result"])

st.divider()
st.subheader("History")
st.dataframe([{"Version": f"v{v.version}" + (" (live)" if live and v.version == live.version else ""),
               "Saved": when(v.created_at), "By": v.created_by, "Note": v.note,
               "Cells": len(v.matrix)} for v in versions], hide_index=True, width="stretch")
if versions:
    h1, h2, h3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    chosen = h1.selectbox("Version", [v.version for v in versions], format_func=lambda n: f"v{n}",
                          key="history_version")
    if h2.button("Load into draft", icon=":material/edit_note:", key="load_version"):
        ed.load_draft(policy.get_version(orch, chosen), force=True)
        flash(f"v{chosen} loaded into the draft (not saved). Dry-run or save it.", "info")
        st.rerun()
    is_live = live is not None and chosen == live.version
    if h3.button(f"Revert to v{chosen}", icon=":material/history:", key="revert", disabled=is_live):
        reverted = attempt(lambda: policy.revert(orch, chosen, actor=actor), rerun=False)
        if reverted is not None:
            ed.load_draft(reverted, force=True)
            flash(f"Reverted to v{chosen}: saved as v{reverted.version}.")
            st.rerun()
    with st.expander(f"Cells of v{chosen}"):
        shown = ed.draft_from(policy.get_version(orch, chosen))
        ed.render_matrix(shown, plans, tasks, [])
