"""Plan and usage, and Home: quota bars, credit, the 30-day chart and document costs."""

from __future__ import annotations

import json

from orchestrator.services.admin import plans
from tests.app.conftest import signed_in
from tests.app.user_support import captions, messages, open_page, saved_job
from tests.support import operator


def _bars(at) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def test_quota_bars_show_what_is_left_and_when_it_resets(app_env):
    saved_job(app_env)
    at = open_page("free@example.com", "plan")
    assert messages(at) == []
    assert at.markdown[0].value.startswith("### Freemium")
    bars = _bars(at)
    assert bars[0] == "19 left of 20"
    assert bars[1].endswith("left of 300,000") and bars[2] == "$1.00 left of $1.00"
    assert "Resets" in captions(at) and "00:00 UTC" in captions(at)
    assert not any("Credit balance" in m.label for m in at.metric)


def test_usage_chart_and_document_costs(app_env):
    job_id = saved_job(app_env)
    app_env.run("draft_cv", user="free@example.com", job_id=job_id)
    at = open_page("free@example.com", "plan")
    [chart] = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert len(bars) == 1 and sum(bars[0]["y"]) == 2 and len(bars[0]["x"]) == 30
    assert {m.label: m.value for m in at.metric}["Requests"] == "2"
    [table] = at.dataframe
    frame = table.value
    assert list(frame["What"]) == ["CV", "Job extraction"]
    assert list(frame["AI cost"]) == ["$0.00", "$0.00"]


def test_paygo_shows_the_credit_balance(app_env):
    at = open_page("paygo@example.com", "plan")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Credit balance"] == "$10.00"
    assert at.markdown[0].value.startswith("### Pay as you go")


def test_exhausted_daily_quota_shows_an_empty_bar(app_env):
    plans.set_limits(app_env, code="freemium", requests_per_day=0, actor=operator())
    at = open_page("free@example.com", "plan")
    assert _bars(at)[0] == "0 left of 0"
    assert [p.value for p in at.get("progress")][0] == 100


def test_no_usage_yet_is_an_empty_state(app_env):
    at = open_page("pro@example.com", "plan")
    assert "No usage in the last 30 days yet." in [i.value for i in at.info]
    assert not at.get("plotly_chart")


def test_home_shows_progress_and_next_steps(app_env):
    job_id = saved_job(app_env)
    app_env.run("cover_letter", user="free@example.com", job_id=job_id)
    at = signed_in("free@example.com")
    assert not at.exception and messages(at) == []
    labels = [link.label for link in at.get("page_link")]
    assert {"Edit profile", "Extract another", "Draft a CV", "Write another"} <= set(labels)
    assert any("Cover letter — Senior Python Engineer" in m.value for m in at.markdown)
    assert _bars(at) == ["18 of 20 requests left today"]
