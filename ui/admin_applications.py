"""Cost analytics, "Applications" section: AI cost per application and per interview, by plan,
for the dashboard's filters (definitions in ``orchestrator.services.reports.applications``)."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from orchestrator.services.reports import applications as report
from orchestrator.services.reports.analytics_queries import AnalyticsFilter
from ui.admin_common import exact_usd
from ui.admin_common import usd as shared_usd

NONE_YET = "no applications yet"
NO_INTERVIEWS = "no interviews yet"


def usd(value: Decimal | None, empty: str = "—") -> str:
    """Readable dollars (the shared formatter: "$0.0213", "$1,234.57"), or ``empty``."""
    return shared_usd(value, unpriced=empty)


def _exact(value: Decimal | None) -> str:
    return f"{exact_usd(value)} exactly. " if value is not None else ""


def _row(p: report.PlanApplications) -> dict:
    return {"Plan": p.name, "Jobs worked on": p.jobs, "Applications": p.applications, "Interviews": p.interviews,
            "AI cost": usd(p.ai_cost_usd), "Cost per application": usd(p.cost_per_application, NONE_YET),
            "Cost per interview": usd(p.cost_per_interview, NO_INTERVIEWS), "Charged": usd(p.charged_usd)}


def render(orch, filt: AnalyticsFilter) -> None:
    """Tiles for all plans, a table by plan, and what the numbers mean."""
    r = report.cost_per_application(orch, filt=filt)
    t = r.total
    c = st.columns(4)
    c[0].metric("Cost per application", usd(t.cost_per_application, NONE_YET), border=True,
                help=_exact(t.cost_per_application) + "AI cost of the jobs worked on in the period / those of them "
                "that reached 'applied'.")
    c[1].metric("Cost per interview", usd(t.cost_per_interview, NO_INTERVIEWS), border=True,
                help=_exact(t.cost_per_interview) + "AI cost of the jobs worked on in the period / those of them "
                "that reached an interview.")
    c[2].metric("Applications", f"{t.applications:,} of {t.jobs:,} jobs", border=True)
    c[3].metric("Interviews", f"{t.interviews:,}", border=True)
    if not r.plans:
        st.info("No saved job had any AI work in this period, so there is nothing to divide yet.",
                icon=":material/info:")
        return
    st.dataframe([_row(p) for p in (*r.plans, t)], hide_index=True, key="table_applications")
    notes = ["AI cost: every attempt (failed ones included) of the requests that extracted a saved job or "
             "worked on it, in the period, counted on the plan it was made on. Applications: those jobs that "
             "reached applied, interviewing, offer or rejected by now; interviews: interviewing or offer. "
             "Jobs deleted since are not counted."]
    if t.unpriced:
        notes.append(f"{t.unpriced:,} attempts on unpriced models are not in the cost.")
    st.caption(" ".join(notes))


__all__ = ["render"]
