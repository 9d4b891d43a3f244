"""Usage log page: requests with their attempts grouped, filters, paging, detail."""

from __future__ import annotations

from tests.app.admin_helpers import no_errors, page_as, plant_traffic


def _table(at):
    return at.dataframe[0].value


def test_requests_group_their_attempts(app_env):
    ids = plant_traffic(app_env)
    at = page_as(app_env, "usage_log")
    no_errors(at)
    table = _table(at)
    # in the default 7 days: 3 + 1 freemium extractions, 2 paygo CVs, a cache hit, a denial
    assert len(table) == 8
    fallback = table[table["Request"] == ids["fallback"][0][:12]].iloc[0]
    assert fallback["Attempts"] == "openai:gpt-5-nano ✘ → gemini:gemini-2.5-flash-lite ✔"
    assert fallback["Outcome"] == "✔ via fallback"
    unpriced = table[table["Request"] == ids["sonnet"][1][:12]].iloc[0]
    assert unpriced["Cost"] == "⚠ unpriced"  # one attempt had no price: the total is unknown
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Requests"] == "8" and metrics["Attempts"] == "10"


def test_select_a_request_shows_all_attempts(app_env):
    ids = plant_traffic(app_env)
    at = page_as(app_env, "usage_log")
    row = list(_table(at)["Request"]).index(ids["fallback"][0][:12])
    at.session_state["log_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    no_errors(at)
    assert at.subheader[-1].value == f"Request {ids['fallback'][0]}"
    attempts = at.dataframe[-1].value
    assert list(attempts["Provider"]) == ["openai", "gemini"]
    assert list(attempts["Status"]) == ["✘ error", "✔ success"]
    assert attempts.iloc[0]["Error"] == "server_error"


def test_filters(app_env):
    ids = plant_traffic(app_env)
    at = page_as(app_env, "usage_log")
    at.selectbox(key="log_provider").select("openai").run()
    assert list(_table(at)["Request"]) == [ids["fallback"][0][:12]]  # the request, with both attempts
    at.selectbox(key="log_provider").select("All")
    at.selectbox(key="log_status").select("error").run()
    assert len(_table(at)) == 2
    at.selectbox(key="log_status").select("All")
    at.text_input(key="log_user").input("paygo").run()
    assert set(_table(at)["Plan"]) == {"paygo"} and len(_table(at)) == 2
    at.text_input(key="log_user").input("")
    at.text_input(key="log_request").input(ids["sonnet"][0][:8]).run()
    assert len(_table(at)) == 1
    at.text_input(key="log_request").input("nothing-like-this").run()
    assert any("No requests match" in i.value for i in at.info)


def test_paging(app_env):
    from datetime import UTC, datetime, timedelta

    from orchestrator import ledger
    from orchestrator.providers.base import TokenUsage

    now = datetime.now(UTC)
    for i in range(60):
        ledger.write(app_env.db, ledger.attempt_record(
            request_id=f"bulk{i:03d}", attempt=1, user_id=None, plan="freemium", task="extract_job",
            provider="offline", provider_kind="offline", model="offline-engine-v1", status="success",
            usage=TokenUsage(input_tokens=10, output_tokens=5), timestamp=now - timedelta(minutes=i)))
    at = page_as(app_env, "usage_log")
    assert len(_table(at)) == 25 and _table(at).iloc[0]["Request"] == "bulk000"
    at.pagination[0].select(3).run()
    assert len(_table(at)) == 10 and _table(at).iloc[0]["Request"] == "bulk050"
    assert _table(at).iloc[0]["User"] == "(deleted)"


def test_a_selected_request_opens_in_the_request_inspector(app_env):
    """Usage log → select a row → "Open in the request inspector": the inspector page, at
    ``?request=<id>``, shows that request's attempts and the prompt and answer it kept."""
    from pathlib import Path

    from orchestrator.services.admin import plans
    from tests.app.conftest import signed_in
    from tests.support import POSTING, operator

    plans.set_limits(app_env, code="freemium", keep_payloads=True, actor=operator())
    rid = app_env.run("extract_job", user="free@example.com", text=POSTING).request_id
    root = Path(__file__).resolve().parents[2]
    at = signed_in("admin@example.com")
    at.switch_page(str(root / "pages/admin/usage_log.py")).run()
    no_errors(at)
    assert not [b for b in at.button if b.key == "log_inspect"]  # nothing selected yet
    row = list(_table(at)["Request"]).index(rid[:12])
    at.session_state["log_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    at.button(key="log_inspect").click().run()
    no_errors(at)
    assert at.title[0].value == "Request inspector"
    assert at.query_params["request"] == rid
    assert at.subheader[0].value == f"Request {rid}"
    assert list(at.dataframe[-1].value["Status"]) == ["✔ success"]
    assert any("Senior Python Engineer" in c.value for c in at.code)  # the prompt that was sent
