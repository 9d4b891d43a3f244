"""The routing page's dry run: two versions side by side on the same recorded requests.

Headline (A, B, the change), what was left out of both totals and why, the changed cells
with both chains and costs, then every cell in one table; a CSV export with exact amounts.
Money is readable on screen (``usd``) with the exact value in tooltips and in the CSV.
"""

from __future__ import annotations

import csv
import io

import streamlit as st

from orchestrator.services.reports.dryrun import CellComparison, Comparison
from ui.admin_common import exact_usd, signed_exact_usd, signed_usd, usd

WINDOWS = (7, 30, 90)
ROW_PX, MAX_TABLE_PX = 35, 700  # st.dataframe row height; the table scrolls beyond
DRAFT = "draft"


def version_name(choice: int | str, live_version: int | None) -> str:
    if choice == DRAFT:
        return "draft (unsaved edits)"
    return f"v{choice}" + (" (live)" if choice == live_version else "")


def _pct(result: Comparison) -> str:
    pct = result.delta_pct
    return "" if pct is None else f" ({pct:+.1f} %)"


def _cost(value, reason: str) -> str:
    return usd(value) if value is not None else f"⚠ unpriced: {reason}"


def headline(result: Comparison) -> str:
    """The change from A to B over the priced cells: '-$0.00017 (-0.0 %)'."""
    return signed_usd(result.delta_usd) + _pct(result)


def render(result: Comparison) -> None:
    a, b = result.label_a, result.label_b
    priced_requests = result.requests - result.excluded_requests
    m1, m2, m3 = st.columns(3)
    m1.metric(f"Predicted cost: {a}", usd(result.total_a_usd), help=f"Exactly {exact_usd(result.total_a_usd)}")
    m2.metric(f"Predicted cost: {b}", usd(result.total_b_usd), help=f"Exactly {exact_usd(result.total_b_usd)}")
    m3.metric(f"Change ({b} vs {a})", headline(result),
              help=f"Exactly {signed_exact_usd(result.delta_usd)}. Unchanged cells add exactly $0.")
    st.caption(f"{priced_requests:,} answered requests from {result.since:%Y-%m-%d %H:%M} to "
               f"{result.until:%Y-%m-%d %H:%M} (UTC), priced in {len(result.priced_cells):,} cells. "
               f"{result.assumptions}")
    if not result.requests:
        st.info("No answered requests in this window: every cell costs $0.00 on both sides.")
    if result.excluded:
        lines = "\n".join(f"- **{c.plan} / {c.task}** ({c.requests:,} requests): {c.reason(a, b)}"
                          for c in result.excluded)
        st.warning(f"**Left out of both totals: {len(result.excluded):,} cells, {result.excluded_requests:,} "
                   f"requests** (they cannot be priced on one side or both):\n\n{lines}")
    st.markdown(f"**Changed cells ({len(result.changed):,})**")
    if not result.changed:
        st.info(f"{a} and {b} have the same chains in every cell: the change is exactly $0.")
    for cell in result.changed:
        _changed_cell(cell, a, b)
    st.markdown("**Every cell** (changed first; every chain and exact amount is in the CSV)")
    st.dataframe([_row(c, a, b) for c in result.cells], hide_index=True, width="stretch",
                 height=min(ROW_PX * (len(result.cells) + 1) + 3, MAX_TABLE_PX),
                 column_config={"Cell": st.column_config.TextColumn(width="medium"),
                                "Requests": st.column_config.TextColumn(width="small"),
                                "Δ": st.column_config.TextColumn(help=f"{b} minus {a}; exactly $0 when the chains "
                                                                       "are the same")})
    st.download_button("Download CSV (exact amounts)", data=to_csv(result), mime="text/csv",
                       file_name=f"dry-run-{_slug(a)}-vs-{_slug(b)}.csv", icon=":material/download:",
                       key="dry_run_csv")


def _changed_cell(cell: CellComparison, a: str, b: str) -> None:
    box = st.container(border=True, key=f"dry_changed_{cell.plan}_{cell.task}")
    c0, c1, c2, c3 = box.columns([2, 4, 4, 2])
    c0.markdown(f"**{cell.plan} / {cell.task}**  \n{cell.requests:,} requests")
    for col, label, side in ((c1, a, cell.a), (c2, b, cell.b)):
        priced_at = f"priced at {side.model}" if side.model else "no usable model"
        col.markdown(f"_{label}_: {side.chain_text}  \n{priced_at}: **{_cost(side.cost_usd, side.reason)}**",
                     help=f"Exactly {exact_usd(side.cost_usd)}" if side.cost_usd is not None else None)
    if cell.delta_usd is None:
        c3.markdown("Δ —  \n_left out of both totals_")
    else:
        c3.markdown(f"Δ **{signed_usd(cell.delta_usd)}**", help=f"Exactly {signed_exact_usd(cell.delta_usd)}")


def _row(c: CellComparison, a: str, b: str) -> dict[str, str]:
    return {"Cell": ("✎ " if c.changed else "") + f"{c.plan} / {c.task}", "Requests": f"{c.requests:,}",
            f"{a}: model": c.a.model or "—", f"{a}: cost": usd(c.a.cost_usd),
            f"{b}: model": c.b.model or "—", f"{b}: cost": usd(c.b.cost_usd),
            "Δ": signed_usd(c.delta_usd) if c.priced else "— left out"}


def to_csv(result: Comparison) -> str:
    """Every cell with exact amounts, then the totals of the priced cells."""
    out = io.StringIO()
    w = csv.writer(out)
    a, b = result.label_a, result.label_b
    w.writerow(["plan", "task", "changed", "requests", "tokens_input", "tokens_output", f"{a} chain",
                f"{a} model", f"{a} cost", f"{b} chain", f"{b} model", f"{b} cost", "delta", "excluded because"])
    for c in result.cells:
        w.writerow([c.plan, c.task, "yes" if c.changed else "no", c.requests, c.tokens_input, c.tokens_output,
                    c.a.chain_text, c.a.model or "", exact_usd(c.a.cost_usd, unpriced=""), c.b.chain_text,
                    c.b.model or "", exact_usd(c.b.cost_usd, unpriced=""),
                    signed_exact_usd(c.delta_usd) if c.delta_usd is not None else "", c.reason(a, b)])
    w.writerow(["total (priced cells)", "", "", result.requests - result.excluded_requests, "", "", "", "",
                exact_usd(result.total_a_usd), "", "", exact_usd(result.total_b_usd),
                signed_exact_usd(result.delta_usd), f"{len(result.excluded)} cells left out"])
    return out.getvalue()


def _slug(label: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in label).strip("-")
