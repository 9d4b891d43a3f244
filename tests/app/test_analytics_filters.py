"""Cost analytics filters: period presets set the range, chips read as names, every series
keeps its colour whatever the filters, and only the open tab is computed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestrator.services.reports.analytics_queries import clear_cache
from orchestrator.tasks import TASKS
from tests.app.test_admin_analytics import chart_specs, open_page
from tests.integration.test_analytics import make_ledger, now_utc


@pytest.fixture
def ledger_app(app_env):
    make_ledger(app_env, days=70, per_day=12)
    clear_cache()
    yield app_env
    clear_cache()


def _span_caption(at) -> str:
    return next(c.value for c in at.caption if "(UTC), compared with" in c.value)


def _colors(at, title: str) -> dict[str, str]:
    """Series name -> colour of the chart titled ``title`` (its colour scale), checked against the
    series its data has."""
    spec, rows = chart_specs(at)[title]
    layers = spec.get("layer", [spec])
    enc = next(layer["encoding"]["color"] for layer in layers if "color" in layer.get("encoding", {}))
    scale = dict(zip(enc["scale"]["domain"], enc["scale"]["range"], strict=True))
    assert {r[enc["field"]] for r in rows} == set(scale)
    return scale


def test_presets_set_the_period(ledger_app):
    today = now_utc().date()
    at = open_page()
    assert at.segmented_control(key="an_preset").value == "30 d"
    assert at.date_input(key="an_period").value == (today - timedelta(days=29), today)

    at.segmented_control(key="an_preset").set_value("7 d").run()
    assert at.date_input(key="an_period").value == (today - timedelta(days=6), today)
    assert _span_caption(at).startswith(f"{today - timedelta(days=6):%d %b %Y} – {today:%d %b %Y} (UTC)")

    at.segmented_control(key="an_preset").set_value("Last month").run()
    end = today.replace(day=1) - timedelta(days=1)
    assert at.date_input(key="an_period").value == (end.replace(day=1), end)
    assert _span_caption(at).startswith(f"{end.replace(day=1):%d %b %Y} – {end:%d %b %Y} (UTC)")

    at.segmented_control(key="an_preset").set_value("Month to date").run()
    assert at.date_input(key="an_period").value == (today.replace(day=1), today)

    # a hand-picked range is no preset any more
    at.date_input(key="an_period").set_value((today - timedelta(days=3), today - timedelta(days=1))).run()
    assert at.segmented_control(key="an_preset").value is None
    assert _span_caption(at).startswith(f"{today - timedelta(days=3):%d %b %Y}")
    assert not at.exception


def test_chips_read_as_names_and_the_caption_says_what_is_kept(ledger_app):
    at = open_page()
    plans = at.multiselect(key="an_plans")
    assert plans.options == ["Freemium", "Pay as you go", "Pro"]  # names, not blank codes
    assert at.multiselect(key="an_tasks").options == [spec.label for spec in TASKS.values()]
    at.multiselect(key="an_plans").set_value(["pro"]).run()
    at.multiselect(key="an_tasks").set_value(["cover_letter"]).run()
    assert f"Plan: Pro · Task: {TASKS['cover_letter'].label}." in _span_caption(at)


def test_colours_do_not_change_with_filters(ledger_app):
    at = open_page()
    providers = _colors(at, "Daily AI cost by provider")
    tasks = _colors(at, "AI cost by plan and task")
    assert len(set(providers.values())) == len(providers) >= 3  # one colour each
    assert len(set(tasks.values())) == len(tasks) >= 3

    one_provider = sorted(providers)[-1]
    at.multiselect(key="an_providers").set_value([one_provider]).run()
    assert _colors(at, "Daily AI cost by provider") == {one_provider: providers[one_provider]}
    at.multiselect(key="an_providers").set_value([]).run()

    # a filter that leaves only the last task drawn must not shift its colour
    last_task = [t for t, spec in TASKS.items() if spec.label in tasks][-1]
    at.multiselect(key="an_tasks").set_value([last_task]).run()
    label = TASKS[last_task].label
    assert _colors(at, "AI cost by plan and task") == {label: tasks[label]}
    assert _colors(at, "Daily AI cost by provider") == {p: providers[p] for p in
                                                         _colors(at, "Daily AI cost by provider")}

    lat = open_page("Reliability", an_providers=[one_provider])
    assert _colors(lat, "Latency by provider") == {one_provider: providers[one_provider]}  # on every chart
    assert _colors(open_page("Reliability"), "Error rate by provider") == providers


def test_only_the_open_tab_is_computed(ledger_app):
    at = open_page()
    assert [t.label for t in at.tabs] == ["Spend", "Reliability", "Users & plans", "Applications", "Export"]
    labels = {m.label for m in at.metric}
    assert "Month-end forecast" in labels and "Cost per application" not in labels
    assert not at.get("download_button")
    at = open_page("Applications")
    labels = {m.label for m in at.metric}
    assert "Cost per application" in labels and "Month-end forecast" not in labels
