"""The routing page's draft: a plan x task matrix kept in session state while an
admin edits it, and the chain editor (the dry run is in ``ui.admin_dryrun``).

The draft is plain data (``{"plan/task": [{"provider", "model", "temperature",
"max_tokens"}, ...]}``) so it survives reruns; ``to_matrix`` turns it into the
``RouteStep`` matrix the services take. The editor for one cell is an
``st.data_editor`` whose starting rows are a snapshot taken when the cell was
opened: edits are deltas on that snapshot, so the draft can be rewritten
from the editor's output on every rerun without applying an edit twice.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from orchestrator.routing import RouteStep
from orchestrator.services.admin.policy import Matrix, PolicyVersion

DRAFT, BASE, REV = "routing_draft", "routing_draft_base", "routing_editor_rev"
COLUMNS = ["order", "provider", "model", "temperature", "max_tokens"]


def cell_key(plan: str, task: str) -> str:
    return f"{plan}/{task}"


def draft_from(pv: PolicyVersion | None) -> dict[str, list[dict[str, Any]]]:
    if pv is None:
        return {}
    return {cell_key(p, t): [{"provider": s.provider, "model": s.model, "temperature": s.temperature,
                              "max_tokens": s.max_tokens} for s in steps]
            for (p, t), steps in pv.matrix.items()}


def load_draft(pv: PolicyVersion | None, *, force: bool = False) -> dict[str, list[dict[str, Any]]]:
    """The session's draft; (re)started from ``pv`` when missing, forced, or when the live
    version moved on and the draft has no changes of its own."""
    version = pv.version if pv else None
    draft = st.session_state.get(DRAFT)
    base = st.session_state.get(BASE)
    stale = draft is not None and base != version and draft == st.session_state.get("routing_draft_origin")
    if draft is None or force or stale:
        draft = draft_from(pv)
        st.session_state[DRAFT] = draft
        st.session_state["routing_draft_origin"] = {k: [dict(r) for r in v] for k, v in draft.items()}
        st.session_state[BASE] = version
        st.session_state[REV] = st.session_state.get(REV, 0) + 1
        for k in [k for k in st.session_state if str(k).startswith("chain_snapshot:")]:
            del st.session_state[k]
    return draft


def changed_cells(draft: dict, live: PolicyVersion | None) -> list[str]:
    live_draft = draft_from(live)
    return sorted(k for k in set(draft) | set(live_draft) if draft.get(k, []) != live_draft.get(k, []))


def _num(value: Any, kind: type) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return None
    return kind(value)


def to_matrix(draft: dict[str, list[dict[str, Any]]]) -> Matrix:
    matrix: Matrix = {}
    for key, rows in draft.items():
        plan, task = key.split("/", 1)
        matrix[(plan, task)] = [RouteStep(r["provider"], r["model"], _num(r.get("temperature"), float),
                                          _num(r.get("max_tokens"), int)) for r in rows]
    return matrix


def chain_text(rows: list[dict[str, Any]]) -> str:
    return " → ".join(f"{r['provider']}:{r['model']}" for r in rows) or "— (no chain)"


def step_text(i: int, r: dict[str, Any]) -> str:
    params = [f"t={r['temperature']:g}" if r.get("temperature") is not None else "",
              f"max {r['max_tokens']:,}" if r.get("max_tokens") is not None else ""]
    extra = " · ".join(p for p in params if p)
    return f"{i}. **{r['provider']}** · {r['model']}" + (f" · _{extra}_" if extra else "")


def render_matrix(draft: dict, plans: list[str], tasks: list[str], changed: list[str]) -> None:
    """Plans as rows, tasks as columns; each cell lists its chain in order."""
    head = st.columns([1] + [3] * len(tasks))
    head[0].markdown("**plan \\ task**")
    for col, task in zip(head[1:], tasks, strict=True):
        col.markdown(f"**{task}**")
    for plan in plans:
        row = st.columns([1] + [3] * len(tasks))
        row[0].markdown(f"**{plan}**")
        for col, task in zip(row[1:], tasks, strict=True):
            key = cell_key(plan, task)
            steps = draft.get(key, [])
            body = "  \n".join(step_text(i, r) for i, r in enumerate(steps, 1)) or "_no chain_"
            mark = ":material/edit: _edited_  \n" if key in changed else ""
            col.container(border=True).markdown(f"{mark}{body}")


def chain_editor(plan: str, task: str, providers: list[str], models: list[str]) -> None:
    """Edit one cell's chain; writes the result into the draft on every rerun."""
    key = cell_key(plan, task)
    draft = st.session_state[DRAFT]
    snap_key = f"chain_snapshot:{key}"
    if snap_key not in st.session_state:
        st.session_state[snap_key] = [dict(r) for r in draft.get(key, [])]
    start = pd.DataFrame([{"order": i + 1, **r} for i, r in enumerate(st.session_state[snap_key])], columns=COLUMNS)
    start["order"] = start["order"].astype("Int64")
    start["max_tokens"] = start["max_tokens"].astype("Int64")
    start["temperature"] = start["temperature"].astype("Float64")
    edited = st.data_editor(
        start, num_rows="dynamic", hide_index=True, width="stretch",
        key=f"chain_editor:{key}:{st.session_state.get(REV, 0)}",
        column_config={
            "order": st.column_config.NumberColumn("Order", min_value=1, max_value=99, step=1, width="small",
                                                   help="1 is tried first; renumber to reorder. "
                                                        "New rows without a number go last."),
            "provider": st.column_config.SelectboxColumn("Provider", options=providers, required=True),
            "model": st.column_config.SelectboxColumn("Model", options=models, required=True,
                                                      help="Models of the catalog (Models & prices)."),
            "temperature": st.column_config.NumberColumn("Temperature", min_value=0.0, max_value=2.0, step=0.1,
                                                         help="Blank: the task's default."),
            "max_tokens": st.column_config.NumberColumn("Max tokens", min_value=1, max_value=200_000, step=1,
                                                        help="Blank: the task's default."),
        },
    )
    ranked = []
    for i, rec in enumerate(edited.to_dict("records")):
        provider, model = rec.get("provider"), rec.get("model")
        if not isinstance(provider, str) or not isinstance(model, str) or not provider or not model:
            continue  # a half-filled new row is not part of the chain yet
        order = _num(rec.get("order"), int)
        ranked.append(((order is None, order or 0, i),
                       {"provider": provider, "model": model, "temperature": _num(rec.get("temperature"), float),
                        "max_tokens": _num(rec.get("max_tokens"), int)}))
    draft[key] = [row for _rank, row in sorted(ranked, key=lambda x: x[0])]


def set_cell_from_text(plan: str, task: str, text: str) -> None:
    """Replace one cell's chain from ``NAME:MODEL, NAME:MODEL`` (the CLI's syntax), keeping the
    params of entries that were already in the chain. Raises InputRejected on bad syntax."""
    from orchestrator.routing import parse_chain

    key = cell_key(plan, task)
    old = {(r["provider"], r["model"]): r for r in st.session_state[DRAFT].get(key, [])}
    rows = []
    for step in parse_chain(text):
        prev = old.get((step.provider, step.model), {})
        rows.append({"provider": step.provider, "model": step.model,
                     "temperature": prev.get("temperature"), "max_tokens": prev.get("max_tokens")})
    st.session_state[DRAFT][key] = rows
    st.session_state.pop(f"chain_snapshot:{key}", None)
    st.session_state[REV] = st.session_state.get(REV, 0) + 1


def reset_cell(plan: str, task: str, live: PolicyVersion | None) -> None:
    key = cell_key(plan, task)
    st.session_state[DRAFT][key] = draft_from(live).get(key, [])
    st.session_state.pop(f"chain_snapshot:{key}", None)
    st.session_state[REV] = st.session_state.get(REV, 0) + 1

