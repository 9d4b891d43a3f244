"""Cost analytics, Applications tab: AI cost per application and per interview, by plan."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from db.models import Job, UsageRecord
from orchestrator import ledger
from orchestrator.services.reports.analytics_queries import clear_cache
from orchestrator.services.user import applications
from tests.app.user_support import saved_job


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def _open(orch):
    """The analytics page with its Applications tab open (only the open tab is computed)."""
    from orchestrator.services.admin.users import get_user
    from streamlit.testing.v1 import AppTest

    from tests.app.admin_helpers import ADMIN_PAGES

    at = AppTest.from_file(ADMIN_PAGES["analytics"], default_timeout=30)
    at.session_state["user"] = get_user(orch, email="admin@example.com")
    at.session_state["an_tab"] = "Applications"
    at.run()
    return at


def _tab(at):
    (tab,) = [t for t in at.tabs if t.label == "Applications"]
    return tab


def _cost(orch, job_id: int, cost: str, *, email: str, plan: str) -> None:
    """One more attempt of the job's extraction request, costing ``cost``."""
    from orchestrator.services.admin.users import get_user

    with orch.db.read() as s:
        rid = s.scalar(select(Job.request_id).where(Job.id == job_id))
    row = ledger.attempt_row(request_id=rid, attempt=2, user_id=get_user(orch, email=email).id, plan=plan,
                             task="extract_job", provider="p", provider_kind="openai", model="m", status="error",
                             cost=Decimal(cost), timestamp=datetime.now(UTC))
    with orch.db.write() as s:
        s.execute(insert(UsageRecord), [row])


def test_no_jobs_says_no_applications_yet(app_env):
    at = _open(app_env)
    assert not at.exception
    tab = _tab(at)
    values = {m.label: m.value for m in tab.metric}
    assert values["Cost per application"] == "no applications yet"
    assert values["Cost per interview"] == "no interviews yet"
    assert [i.value for i in tab.info] == ["No saved job had any AI work in this period, so there is nothing to "
                                           "divide yet."]


def test_cost_per_application_and_interview_by_plan(app_env):
    orch = app_env
    a, b = saved_job(orch), saved_job(orch)
    _cost(orch, a, "0.03", email="free@example.com", plan="freemium")
    _cost(orch, b, "0.01", email="free@example.com", plan="freemium")
    applications.change_status(orch, user="free@example.com", job_id=a, status="applied")
    applications.change_status(orch, user="free@example.com", job_id=a, status="interviewing")
    p = saved_job(orch, "pro@example.com")
    _cost(orch, p, "0.5", email="pro@example.com", plan="pro")
    at = _open(orch)
    assert not at.exception
    tab = _tab(at)
    values = {m.label: m.value for m in tab.metric}
    assert values["Cost per application"] == "$0.54"  # (0.03 + 0.01 + 0.5) / 1
    helps = {m.label: m.proto.help for m in tab.metric}
    assert helps["Cost per application"].startswith("$0.54 exactly.")
    assert values["Applications"] == "1 of 3 jobs" and values["Interviews"] == "1"
    df = tab.dataframe[0].value
    rows = {r["Plan"]: r for r in df.to_dict("records")}
    assert list(rows) == ["Freemium", "Pro", "All plans"]
    assert (rows["Freemium"]["Jobs worked on"], rows["Freemium"]["Applications"], rows["Freemium"]["Interviews"]) == (
        2, 1, 1)
    assert rows["Freemium"]["AI cost"] == "$0.04" and rows["Freemium"]["Cost per application"] == "$0.04"
    assert rows["Freemium"]["Cost per interview"] == "$0.04"
    assert rows["Pro"]["Cost per application"] == "no applications yet"
    assert rows["Pro"]["Cost per interview"] == "no interviews yet"
    assert "failed ones included" in " ".join(c.value for c in tab.caption)
