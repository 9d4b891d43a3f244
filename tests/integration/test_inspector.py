"""The request inspector on both databases: prompts and answers are stored per attempt, redacted,
only for plans that keep them, pruned when they expire (the ledger stays); the detail lists every
attempt with its finish reason and exact cost; the search filters narrow and page newest first;
only admins may look."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import Plan, RequestPayload, UsageRecord
from orchestrator import AllProvidersFailed, PermissionDenied, ledger, maintenance, payloads
from orchestrator.providers.base import TokenUsage
from orchestrator.services.admin import plans
from orchestrator.services.reports import inspector
from orchestrator.services.reports.logs import UsageFilter, audit_entries
from orchestrator.services.user import profiles
from tests.sim_support import set_chain
from tests.support import POSTING, acting, operator

PROFILE = {
    "name": "Frida Free", "headline": "Junior Data Analyst", "email": "frida.free@mailbox.example",
    "phone": "+49 30 1234 5678", "location": "Hauptstraße 12, 10115 Berlin",
    "links": ["https://www.linkedin.com/in/frida-free", "https://github.com/fridafree", "https://frida.dev"],
    "summary": "Analyst who turns messy data into clear dashboards. Call +49 30 1234 5678 or write to "
               "frida.free@mailbox.example; portfolio at https://frida.dev/work.",
    "experience": [{"role": "Data Analyst", "company": "Stadtwerke Berlin", "start": "2019-03", "end": "2023-02",
                    "bullets": ["Built dashboards for 40 managers", "Saved 6 hours a week with Python"]}],
    "skills": ["Python", "SQL"],
}
SECRETS = ["Frida", "frida.free@mailbox.example", "free@example.com", "1234 5678", "12345678", "Hauptstraße",
           "10115", "linkedin.com/in/frida-free", "github.com/fridafree", "frida.dev"]


@pytest.fixture
def world(demo_users, sim_orch):
    """Demo accounts, the simulated providers, and free@'s profile full of contact details."""
    orch = sim_orch
    profiles.save_profile(orch, user="free@example.com", profile=PROFILE)
    return orch


def keep(orch, plan: str, on: bool = True) -> None:
    plans.set_limits(orch, code=plan, keep_payloads=on, actor=operator())


def stored(orch, request_id: str | None = None) -> list[RequestPayload]:
    with orch.db.read() as s:
        q = select(RequestPayload).order_by(RequestPayload.request_id, RequestPayload.attempt)
        if request_id is not None:
            q = q.where(RequestPayload.request_id == request_id)
        return list(s.scalars(q).all())


def ledger_count(orch) -> int:
    with orch.db.read() as s:
        return s.scalar(select(func.count()).select_from(UsageRecord))


def all_text(rows: list[RequestPayload]) -> str:
    return "\n".join(f"{r.system}\n{r.prompt}\n{r.answer or ''}" for r in rows)


# ------------------------------------------------------------------ capture


def test_a_kept_request_stores_its_prompt_and_answer_redacted(world):
    orch = world
    keep(orch, "freemium")
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    set_chain(orch, "freemium", "draft_cv", "sim-openai:gpt-4o-mini")
    job = orch.run("extract_job", user="free@example.com", text=POSTING)
    cv = orch.run("draft_cv", user="free@example.com", job_id=job.job_id)
    [row] = stored(orch, cv.request_id)
    assert row.attempt == 1 and row.images == 0 and row.user_id is not None
    assert "<profile_json>" in row.prompt and "Senior Python Engineer" in row.prompt  # the real prompt
    assert row.system and row.answer
    text = all_text(stored(orch))
    leaked = [s for s in SECRETS if s.lower() in text.lower()]
    assert leaked == []
    for label in ("[name]", "[email]", "[phone]", "[address]", "[link]"):
        assert label in row.prompt
    # what was not personal stays: the job, the skills, the years
    assert "Stadtwerke Berlin" in row.prompt and "2019-03" in row.prompt and "Python" in row.prompt
    days = (row.expires_at - row.created_at).total_seconds() / 86400
    assert days == pytest.approx(orch.settings.payload_retention_days)
    # the answer kept is the CV the user got, with their details replaced
    first_line = cv.text.split("\n")[0]
    assert "Frida Free" in first_line and row.answer.split("\n")[0] == first_line.replace("Frida Free", "[name]")


def test_a_plan_that_does_not_keep_payloads_stores_nothing(world):
    orch = world
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert stored(orch) == [] and ledger_count(orch) >= 1
    keep(orch, "paygo")  # another plan keeping them changes nothing for freemium
    orch.run("extract_job", user="free@example.com", text=POSTING, regenerate=True)
    assert stored(orch) == []
    keep(orch, "freemium")
    again = orch.run("extract_job", user="free@example.com", text=POSTING, regenerate=True)
    assert [p.request_id for p in stored(orch)] == [again.request_id] != [r.request_id]


@pytest.fixture
def failing_openai(fresh_sim):
    fresh_sim.set_sticky_fault("openai", kind="status", status=401)
    return fresh_sim


def test_a_fallback_stores_both_attempts_the_failed_one_without_an_answer(world, failing_openai):
    orch = world
    keep(orch, "freemium")
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert r.provider == "sim-gemini"
    rows = stored(orch, r.request_id)
    assert [(p.attempt, p.answer is None) for p in rows] == [(1, True), (2, False)]
    assert rows[0].prompt == rows[1].prompt and "Senior Python Engineer" in rows[0].prompt
    assert '"title"' in rows[1].answer


def test_all_attempts_failing_still_keeps_what_was_sent(world, failing_openai):
    orch = world
    keep(orch, "freemium")
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    with pytest.raises(AllProvidersFailed):
        orch.run("extract_job", user="free@example.com", text=POSTING)
    [row] = stored(orch)
    assert row.answer is None and "Senior Python Engineer" in row.prompt


def test_a_cache_hit_stores_the_answer_it_served(world):
    orch = world
    keep(orch, "freemium")
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    first = orch.run("extract_job", user="free@example.com", text=POSTING)
    hit = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert hit.cached
    [served] = stored(orch, first.request_id)
    [cached] = stored(orch, hit.request_id)
    assert cached.answer == served.answer and cached.prompt == served.prompt


def test_a_chat_keeps_its_earlier_turns_readably(world):
    orch = world
    keep(orch, "freemium")
    set_chain(orch, "freemium", "chat", "sim-openai:gpt-4o-mini")
    r = orch.run("chat", user="free@example.com", messages=[
        {"role": "system", "content": "You are terse. The user is Frida Free."},
        {"role": "user", "content": "My number is +49 30 1234 5678."},
        {"role": "assistant", "content": "Noted."},
        {"role": "user", "content": "Which year was 2019-03 in?"}])
    [row] = stored(orch, r.request_id)
    assert row.system == "You are terse. The user is [name]."
    assert row.prompt == ("[user]\nMy number is [phone].\n\n[assistant]\nNoted.\n\n"
                          "[user]\nWhich year was 2019-03 in?")


def test_a_failure_to_store_never_fails_the_request(world, monkeypatch, caplog):
    orch = world
    keep(orch, "freemium")
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    monkeypatch.setattr(payloads, "_INSERT", "INSERT INTO no_such_table (x) VALUES (:request_id)")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    assert r.job_id and stored(orch) == []
    with orch.db.read() as s:
        assert s.scalar(select(UsageRecord.status).where(UsageRecord.request_id == r.request_id)) == "success"
    assert "observer failed" in caplog.text


def test_the_prune_job_deletes_expired_payloads_and_keeps_the_ledger(world):
    orch = world
    keep(orch, "freemium")
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    rows_before = ledger_count(orch)
    soon = datetime.now(UTC) + timedelta(days=orch.settings.payload_retention_days - 1)
    assert maintenance.prune(orch, now=soon)["request_payloads"] == 0 and len(stored(orch)) == 1
    later = datetime.now(UTC) + timedelta(days=orch.settings.payload_retention_days, minutes=1)
    assert maintenance.prune(orch, now=later)["request_payloads"] == 1
    assert stored(orch) == [] and ledger_count(orch) == rows_before
    detail = inspector.request_detail(orch, request_id=r.request_id, actor=operator(), now=later)
    assert detail.attempts[0].payload is None
    assert detail.attempts[0].payload_note == (
        f"Expired: prompts and answers are kept for {orch.settings.payload_retention_days} days.")


# ------------------------------------------------------------------ the plan setting


def test_keep_payloads_is_switched_per_plan_and_audited(world):
    orch = world
    assert not any(p.keep_payloads for p in plans.list_plans(orch))  # the base seed leaves it off
    info = plans.set_limits(orch, code="pro", keep_payloads="on", actor=acting(orch))
    assert info.keep_payloads
    entry = audit_entries(orch, action="plan.set_limits").rows[0]
    assert (entry.target_id, entry.before["keep_payloads"], entry.after["keep_payloads"]) == ("pro", False, True)
    assert entry.actor == "admin@example.com"
    with pytest.raises(PermissionDenied):
        plans.set_limits(orch, code="pro", keep_payloads=False, actor=acting(orch, "pro@example.com"))
    from orchestrator.errors import InputRejected

    with pytest.raises(InputRejected, match="on or off"):
        plans.set_limits(orch, code="pro", keep_payloads="maybe", actor=operator())
    assert [p.code for p in plans.list_plans(orch) if p.keep_payloads] == ["pro"]


def test_the_cli_switches_keep_payloads(database_url, settings, monkeypatch, capsys):
    import json

    from orchestrator.cli import main

    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", settings.master_keys[0])
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(settings.data_dir))
    assert main(["--database-url", database_url, "plans", "set", "--plan", "paygo", "--keep-payloads", "on",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["keep_payloads"] is True
    assert main(["--database-url", database_url, "plans", "set", "--plan", "paygo", "--keep-payloads", "off",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["keep_payloads"] is False


def test_the_demo_seed_keeps_payloads_on_the_demo_plans(orch):
    from orchestrator.seeding.demo import seed_demo

    with orch.db.read() as s:
        assert not any(s.scalars(select(Plan.keep_payloads)).all())
    seed_demo(orch, users=3, days=2)
    with orch.db.read() as s:
        assert all(s.scalars(select(Plan.keep_payloads)).all())
    plans.set_limits(orch, code="freemium", keep_payloads=False, actor=operator())
    seed_demo(orch, users=3, days=2)  # a re-seed does not overrule the admin
    assert [p.code for p in plans.list_plans(orch) if not p.keep_payloads] == ["freemium"]


# ------------------------------------------------------------------ detail


def test_the_detail_lists_every_attempt_with_finish_reason_and_exact_cost(world, failing_openai):
    orch = world
    keep(orch, "freemium")
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    d = inspector.request_detail(orch, request_id=r.request_id, actor=acting(orch))
    assert (d.user_email, d.plan, d.plan_name, d.task, d.origin_label) == (
        "free@example.com", "freemium", "Freemium", "extract_job", "Python")
    assert [(a.attempt, a.provider, a.status, a.error_type, a.finish_reason) for a in d.attempts] == [
        (1, "sim-openai", "error", "auth", None), (2, "sim-gemini", "success", None, "stop")]
    with orch.db.read() as s:
        costs = s.scalars(select(UsageRecord.cost_usd).where(UsageRecord.request_id == r.request_id)
                          .order_by(UsageRecord.attempt)).all()
    assert [a.cost_usd for a in d.attempts] == costs
    assert d.cost_usd == sum(costs, Decimal(0)) == r.cost_usd and d.cost_usd > 0
    ok = d.attempts[1]
    assert ok.tokens_input > 0 and ok.tokens_output > 0 and d.tokens_output == ok.tokens_output
    assert ok.payload is not None and '"title"' in ok.payload.answer
    assert d.attempts[0].payload.answer is None and d.attempts[0].error_message


def test_the_detail_says_why_nothing_is_stored(world):
    orch = world
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    d = inspector.request_detail(orch, request_id=r.request_id, actor=operator())
    assert d.attempts[0].payload is None
    assert d.attempts[0].payload_note == "Not stored: the Freemium plan does not keep payloads."
    keep(orch, "freemium")
    d = inspector.request_detail(orch, request_id=r.request_id, actor=operator())
    assert d.attempts[0].payload_note == "Not stored: the Freemium plan did not keep payloads when this request ran."
    with pytest.raises(Exception, match="No request"):
        inspector.request_detail(orch, request_id="f" * 32, actor=operator())


def test_a_plain_user_is_refused_the_inspector(world):
    orch = world
    r = orch.run("extract_job", user="free@example.com", text=POSTING)
    for email in ("free@example.com", "pro@example.com"):
        with pytest.raises(PermissionDenied):
            inspector.request_detail(orch, request_id=r.request_id, actor=acting(orch, email))
        with pytest.raises(PermissionDenied):
            inspector.search_requests(orch, actor=acting(orch, email))


# ------------------------------------------------------------------ search


@pytest.fixture
def traffic(demo_users):
    from tests.app.admin_helpers import plant_traffic

    now = datetime.now(UTC).replace(microsecond=0)
    return demo_users, plant_traffic(demo_users, now=now), now


def _ids(page) -> list[str]:
    return [h.request_id for h in page.hits]


def test_search_filters_each_narrow(traffic):
    orch, ids, now = traffic
    admin = acting(orch)

    def search(**kw):
        return _ids(inspector.search_requests(orch, actor=admin, filters=UsageFilter(**kw), page_size=50))

    everything = search()
    assert len(everything) == len(set(everything)) == 9  # 8 recent requests and a 45-day-old one
    assert set(search(user_email="PAYGO@")) == set(ids["sonnet"])
    assert set(search(task="draft_cv")) == set(ids["sonnet"]) | set(ids["denied"])
    assert search(provider="openai") == ids["fallback"]  # the request, whatever its other attempts
    assert set(search(status="error")) == set(ids["fallback"]) | {ids["sonnet"][1]}
    assert search(status="quota_denied") == ids["denied"]
    recent = search(since=now - timedelta(days=1, hours=1), until=now)
    assert set(recent) == set(ids["flash"][:1]) | set(ids["cached"]) | set(ids["denied"])
    assert set(search(until=now - timedelta(days=30))) == set(ids["old"])
    assert search(user_email="paygo", status="success", since=now - timedelta(days=3, hours=1)) == ids["sonnet"][:1]


def test_search_is_newest_first(traffic):
    orch, ids, now = traffic
    hits = inspector.search_requests(orch, actor=operator(), page_size=50).hits
    starts = [h.started_at for h in hits]
    assert starts == sorted(starts, reverse=True)
    fallback = next(h for h in hits if h.request_id == ids["fallback"][0])
    assert fallback.chain == ("openai:gpt-5-nano", "gemini:gemini-2.5-flash-lite")
    assert fallback.statuses == ("error", "success") and fallback.outcome == "success"
    unpriced = next(h for h in hits if h.request_id == ids["sonnet"][1])
    assert unpriced.cost_usd is None  # one attempt had no price: the total is unknown


def test_search_pages_never_repeat_or_skip_a_request(demo_users):
    """Requests whose attempts lie far apart (one straddles every page boundary) are listed once."""
    orch = demo_users
    now = datetime.now(UTC)
    expected = []
    for i in range(23):
        expected.append(f"req{i:02d}")
        ledger.write(orch.db, ledger.attempt_record(
            request_id=f"req{i:02d}", attempt=1, user_id=None, plan="freemium", task="extract_job",
            provider="offline", provider_kind="offline", model="offline-engine-v1", status="success",
            usage=TokenUsage(input_tokens=10, output_tokens=5), timestamp=now - timedelta(minutes=2 * i + 1)))
    for minutes in (0, 7, 13, 31):  # one long request: attempts between the others
        ledger.write(orch.db, ledger.attempt_record(
            request_id="straddler", attempt=minutes + 1, user_id=None, plan="freemium", task="extract_job",
            provider="offline", provider_kind="offline", model="offline-engine-v1", status="error",
            usage=TokenUsage(), error_type="timeout", timestamp=now - timedelta(minutes=minutes)))
    seen, cursor, pages = [], None, 0
    while True:
        page = inspector.search_requests(orch, actor=operator(), cursor=cursor, page_size=4)
        seen += _ids(page)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["straddler", *expected] and pages == 6


def test_a_cursor_that_is_not_one_is_refused(demo_users):
    from orchestrator.errors import InputRejected

    with pytest.raises(InputRejected):
        inspector.search_requests(demo_users, actor=operator(), cursor="not a cursor")
