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
    assert at.markdown[0].value == "### Pay as you go · pay per use"
    assert "free" not in at.markdown[0].value


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


# ------------------------------------------------------------------ self-service billing


def _button(at, label: str):
    found = [b for b in at.button if b.label == label or b.label.startswith(label)]
    assert found, f"no button {label!r}; have {[b.label for b in at.button]}"
    return found[0]


def _buy(at, preset: str | None = None, other: str | None = None):
    [group] = at.get("button_group")
    if preset is not None:
        group.set_value(preset)
    if other is not None:
        group.set_value("Other amount")
        at.text_input(key="credit_other").input(other)
    return _button(at, "Buy").click().run()


def test_paygo_buys_credit_and_sees_the_balance_and_the_invoice(app_env):
    at = open_page("paygo@example.com", "plan")
    at = _buy(at, preset="$25.00")
    assert not at.exception and messages(at) == []
    assert {m.label: m.value for m in at.metric}["Credit balance"] == "$35.00"
    invoices = at.table[0].value
    assert list(invoices["For"]) == ["Credit $25.00"] and list(invoices["Amount"]) == ["$25.00"]
    assert list(invoices["Status"]) == ["paid"] and invoices["Reference"].iloc[0].startswith("demo_ch_")
    at = _buy(at, other="12.34")
    assert {m.label: m.value for m in at.metric}["Credit balance"] == "$47.34"


def test_a_bad_custom_amount_is_refused_with_a_clear_message(app_env):
    at = _buy(open_page("paygo@example.com", "plan"), other="0.001")
    assert any("whole cents" in m for m in messages(at))
    at = _buy(at, other="5000")
    assert any("At most" in m and "500.00 of credit" in m for m in messages(at))
    assert {m.label: m.value for m in at.metric}["Credit balance"] == "$10.00"


def test_upgrade_after_a_confirmation_that_states_the_charge(app_env):
    at = open_page("free@example.com", "plan")
    assert _button(at, "Your plan").disabled
    at = _button(at, "Upgrade to Pro").click().run()
    confirm = [m.value for m in at.markdown if "Your plan changes to **Pro** now." in m.value]
    assert confirm and "You pay **$" in confirm[0]
    at = _button(at, "Switch to Pro · pay $").click().run()
    assert not at.exception and messages(at) == []
    assert at.markdown[0].value == "### Pro · $19.00 a month"
    assert _bars(at)[0] == "500 left of 500"  # pro's daily limit
    assert list(at.table[0].value["Status"]) == ["paid"]
    # cancel: back to the free plan, the unused days refunded
    at = _button(at, "Cancel plan").click().run()
    at = _button(at, "Cancel my plan").click().run()
    assert at.markdown[0].value == "### Freemium · free"
    assert list(at.table[0].value["Status"]) == ["refunded", "paid"]


def test_keep_my_plan_changes_nothing(app_env):
    at = open_page("pro@example.com", "plan")
    at = _button(at, "Switch to Pay as you go").click().run()
    at = _button(at, "Keep my plan").click().run()
    assert at.markdown[0].value == "### Pro · $19.00 a month"
    assert not [b for b in at.button if b.label == "Keep my plan"]
