"""Personal data kept at home, end to end on the simulator and both databases: what each vendor
received (the simulator's log of request bodies) holds none of the user's name, e-mail, phone,
address or links, while the extracted job, the saved document, its exports, the streamed text
and the response cache hold the real values. The offline engine gets the real data; a plan with
the switch off sends it as is; an answer with a placeholder that cannot be put back is an invalid
answer (repaired once, not charged, then fallen back on); a redaction that fails sends nothing."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import CacheEntry, UsageRecord
from orchestrator import StreamRestart, exports, placeholders
from orchestrator.result import Result
from orchestrator.services.admin import plans
from orchestrator.services.reports.logs import audit_entries
from orchestrator.services.user import documents, profiles
from orchestrator.simulator import Simulator
from orchestrator.simulator.engine import default_respond
from tests.sim_support import SIM_KEYS, set_chain
from tests.support import POSTING, operator

USER = "paygo@example.com"
PROFILE = {
    "name": "Paolo Paygo", "headline": "Backend Engineer", "email": "paolo.private@mailbox.example",
    "phone": "+351 912 345 678", "location": "Rua Augusta 27, 1100-048 Lisboa",
    "links": ["https://www.linkedin.com/in/paolo-paygo", "https://github.com/paolo-paygo", "https://paolo.dev"],
    "summary": "Backend engineer. Reach me on +351 912 345 678 or paolo.private@mailbox.example; see paolo.dev.",
    "experience": [{"role": "Senior Backend Engineer", "company": "Farfetch", "start": "2021-05", "end": "Present",
                    "bullets": ["Designed REST APIs in Python and FastAPI serving 3k requests per second",
                                "Ran PostgreSQL on Kubernetes with Docker and CI/CD"]}],
    "skills": ["Python", "FastAPI", "PostgreSQL", "SQL", "Docker", "Kubernetes", "CI/CD", "REST APIs"],
}
# what must never reach a provider (the account's e-mail is the user's too)
SECRETS = ["Paolo", "Paygo", "paolo.private", "paygo@example.com", "912 345 678", "912345678", "Rua Augusta",
           "1100-048", "linkedin.com/in/paolo-paygo", "github.com/paolo-paygo", "paolo.dev"]
# the posting names the user (a referral) and the recruiter's contact details
REFERRAL = POSTING.replace("Benefits\n", "Benefits\n- Referral bonus paid to Paolo Paygo\n") + \
    "\nQuestions? Write to talent@acme-analytics.example or call +49 30 901820.\n"
VENDORS = [("sim-openai", "gpt-4o-mini", "openai"), ("sim-anthropic", "claude-haiku-4-5", "anthropic"),
           ("sim-gemini", "gemini-2.5-flash", "gemini")]


@pytest.fixture
def world(demo_users, sim_orch):
    profiles.save_profile(sim_orch, user=USER, profile=PROFILE)
    return sim_orch


def received(sim, vendor: str | None = None) -> str:
    """Every request body the simulator received (for one vendor), as one text."""
    return "\n".join(json.dumps(r["body"], ensure_ascii=False) for r in sim.requests
                     if r.get("body") is not None and (vendor is None or r["vendor"] == vendor))


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


def drain(events) -> tuple[list[str], Result]:
    chunks, result = [], None
    for event in events:
        if isinstance(event, Result):
            result = event
        elif not isinstance(event, StreamRestart):
            chunks.append(event)
    assert result is not None
    return chunks, result


def ledger(orch, request_id: str) -> list[UsageRecord]:
    with orch.db.read() as s:
        return list(s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)
                              .order_by(UsageRecord.attempt)).all())


@pytest.mark.parametrize("streaming", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("provider,model,vendor", VENDORS, ids=[v for _p, _m, v in VENDORS])
def test_providers_get_placeholders_and_the_user_gets_real_values(world, fresh_sim, provider, model, vendor,
                                                                  streaming):
    orch = world
    for task in ("extract_job", "draft_cv"):
        set_chain(orch, "paygo", task, f"{provider}:{model}")
    if streaming:
        job_chunks, job = drain(orch.stream("extract_job", user=USER, text=REFERRAL))
        cv_chunks, cv = drain(orch.stream("draft_cv", user=USER, job_id=job.job_id))
    else:
        job = orch.run("extract_job", user=USER, text=REFERRAL)
        cv = orch.run("draft_cv", user=USER, job_id=job.job_id)
        job_chunks = cv_chunks = []
    assert (job.provider, cv.provider) == (provider, provider)
    assert [a.status for a in cv.attempts] == ["success"]

    sent = received(fresh_sim, vendor)
    assert sent.count('"model"') or vendor == "gemini"  # the log holds the bodies
    assert leaked(sent) == []
    assert "talent@acme-analytics.example" not in sent and "901820" not in sent  # contact-shaped data too
    for placeholder in ("[[NAME_1]]", "[[EMAIL_1]]", "[[PHONE_1]]", "[[ADDRESS_1]]", "[[LINK_1]]"):
        assert placeholder in sent, placeholder
    assert "Farfetch" in sent and "FastAPI" in sent  # the rest of the profile and the posting go as they are

    # the extracted job has the values back (inside its JSON strings)
    saved_job = documents.get_job(orch, user=USER, job_id=job.job_id)
    assert "Referral bonus paid to Paolo Paygo" in saved_job.posting.benefits
    assert "[[" not in saved_job.posting.model_dump_json()
    # the document as returned, saved, exported and streamed
    doc = documents.get_document(orch, user=USER, document_id=cv.document_id)
    assert doc.content == cv.text and "[[" not in doc.content
    for value in ("Paolo Paygo", "paolo.private@mailbox.example", "+351 912 345 678", "Rua Augusta 27, 1100-048 Lisboa",
                  "https://www.linkedin.com/in/paolo-paygo"):
        assert value in doc.content, value
    assert doc.content.startswith("# Paolo Paygo")
    assert b"Paolo Paygo" in exports.export(doc.content, fmt="md")
    from docx import Document as Docx

    docx_text = "\n".join(p.text for p in Docx(io.BytesIO(exports.export(doc.content, fmt="docx"))).paragraphs)
    assert "Paolo Paygo" in docx_text and "[[" not in docx_text
    if streaming:
        shown = "".join(cv_chunks)
        assert "Paolo Paygo" in shown and "paolo.private@mailbox.example" in shown and "[[" not in shown
        assert shown.strip() == cv.text
        assert "Paolo Paygo" in "".join(job_chunks) and "[[" not in "".join(job_chunks)


def test_the_response_cache_keeps_real_values_and_serves_them(world, fresh_sim):
    orch = world
    set_chain(orch, "paygo", "extract_job", "sim-openai:gpt-4o-mini")
    first = orch.run("extract_job", user=USER, text=REFERRAL)
    calls = len(fresh_sim.requests)
    again = orch.run("extract_job", user=USER, text=REFERRAL)
    assert again.cached and len(fresh_sim.requests) == calls
    assert "Referral bonus paid to Paolo Paygo" in again.data.benefits
    with orch.db.read() as s:
        (output,) = s.scalars(select(CacheEntry.output)).all()
    assert "Paolo Paygo" in output and "[[" not in output
    assert again.data == first.data


def test_the_offline_engine_gets_the_real_data(world, fresh_sim, monkeypatch):
    from orchestrator.providers.offline import OfflineAdapter

    orch = world
    seen = []
    real = OfflineAdapter.complete
    monkeypatch.setattr(OfflineAdapter, "complete", lambda self, config, request: seen.append(request) or
                        real(self, config, request))
    set_chain(orch, "paygo", "draft_cv", "offline:offline-engine-v1")
    job = orch.run("extract_job", user=USER, text=REFERRAL)
    cv = orch.run("draft_cv", user=USER, job_id=job.job_id)
    assert cv.offline and cv.text.startswith("# Paolo Paygo") and "[[" not in cv.text
    assert seen and "Paolo Paygo" in seen[-1].prompt and "paolo.private@mailbox.example" in seen[-1].prompt
    assert "[[" not in seen[-1].prompt + seen[-1].system


def test_a_plan_with_the_switch_off_sends_the_data_as_is(world, fresh_sim):
    orch = world
    set_chain(orch, "paygo", "draft_cv", "sim-anthropic:claude-haiku-4-5")
    info = plans.set_limits(orch, code="paygo", redact_personal_data="off", actor=operator())
    assert info.redact_personal_data is False
    job = orch.run("extract_job", user=USER, text=REFERRAL)
    cv = orch.run("draft_cv", user=USER, job_id=job.job_id)
    sent = received(fresh_sim, "anthropic")
    assert "Paolo Paygo" in sent and "paolo.private@mailbox.example" in sent and "[[" not in sent
    assert cv.text.startswith("# Paolo Paygo")
    entry = audit_entries(orch, action="plan.set_limits").rows[0]
    assert (entry.target_id, entry.before["redact_personal_data"], entry.after["redact_personal_data"]) == (
        "paygo", True, False)
    # other plans keep it on
    assert [p.code for p in plans.list_plans(orch) if not p.redact_personal_data] == ["paygo"]
    plans.set_limits(orch, code="paygo", redact_personal_data=True, actor=operator())
    fresh_sim.clear_requests()
    orch.run("draft_cv", user=USER, job_id=job.job_id, regenerate=True)
    assert leaked(received(fresh_sim, "anthropic")) == []


@pytest.fixture
def bad_sim():
    """A provider that answers with a placeholder it was never given (and mangles another)."""
    def respond(system: str, prompt: str) -> str:
        return default_respond(system, prompt) + "\n\nReferences: [[NAME_9]] and [NAME_1]]"

    s = Simulator(valid_keys={"openai": SIM_KEYS["openai"]}, respond=respond).start()
    yield s
    s.stop()


def test_an_answer_with_a_placeholder_that_cannot_be_put_back_is_invalid_and_falls_back(world, fresh_sim, bad_sim):
    from orchestrator.services.admin import providers
    from orchestrator.services.user import account

    orch = world
    providers.add_provider(orch, name="sim-bad", kind="openai", base_url=bad_sim.openai_base_url,
                           api_key=SIM_KEYS["openai"], timeout_s=5, actor=operator())
    set_chain(orch, "paygo", "draft_cv", "sim-bad:gpt-4o-mini,sim-gemini:gemini-2.5-flash")
    job = orch.run("extract_job", user=USER, text=REFERRAL)
    credit = account.account_status(orch, user=USER).credit_available_usd
    cv = orch.run("draft_cv", user=USER, job_id=job.job_id)
    assert cv.provider == "sim-gemini" and "[[" not in cv.text and "[NAME" not in cv.text
    rows = ledger(orch, cv.request_id)
    assert [(r.provider, r.status, r.error_type) for r in rows] == [
        ("sim-bad", "error", "invalid_output"), ("sim-bad", "error", "invalid_output"),
        ("sim-gemini", "success", None)]
    assert "[[NAME_9]]" in rows[0].error_message and "[NAME_1]]" in rows[0].error_message
    assert all(r.charged_usd == 0 and r.cost_usd > 0 for r in rows[:2])  # they cost us, not the user
    assert account.account_status(orch, user=USER).credit_available_usd == credit - rows[2].charged_usd
    bodies = [json.dumps(r["body"], ensure_ascii=False) for r in bad_sim.requests if r.get("body")]
    assert len(bodies) == 2 and leaked("\n".join(bodies)) == []
    assert "cannot be put back: [[NAME_9]], [NAME_1]]" in bodies[1]  # the repair names them, nothing else
    assert documents.get_document(orch, user=USER, document_id=cv.document_id).content == cv.text


def test_if_redaction_fails_nothing_is_sent_and_the_offline_engine_serves(world, fresh_sim, monkeypatch):
    orch = world
    set_chain(orch, "paygo", "draft_cv", "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash,"
                                         "offline:offline-engine-v1")
    job = orch.run("extract_job", user=USER, text=REFERRAL)
    fresh_sim.clear_requests()

    def broken(db, prepared):
        raise RuntimeError("cannot read the profile of Paolo Paygo")

    monkeypatch.setattr(placeholders, "identity_of", broken)
    cv = orch.run("draft_cv", user=USER, job_id=job.job_id)
    assert fresh_sim.requests == []  # nothing went out
    assert cv.offline and cv.text.startswith("# Paolo Paygo")
    rows = ledger(orch, cv.request_id)
    assert [(r.provider, r.status, r.error_type) for r in rows] == [
        ("sim-openai", "error", "redaction_failed"), ("sim-gemini", "error", "redaction_failed"),
        ("offline", "success", None)]
    assert all(r.charged_usd == 0 and r.cost_usd == Decimal(0) and r.tokens_input == 0 for r in rows[:2])
    assert "Paolo" not in rows[0].error_message and "nothing was sent" in rows[0].error_message
    # our failure is not the provider's: its breaker does not count it
    from db.models import Provider, ProviderHealth

    with orch.db.read() as s:
        failures = s.scalars(select(ProviderHealth.consecutive_failures).join(
            Provider, Provider.id == ProviderHealth.provider_id).where(Provider.name == "sim-openai")).all()
    assert all(n == 0 for n in failures)


def test_the_cli_switches_placeholders_per_plan(database_url, settings, monkeypatch, capsys):
    from orchestrator.cli import main

    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", settings.master_keys[0])
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(settings.data_dir))
    base = ["--database-url", database_url, "plans"]
    assert main([*base, "set", "--plan", "pro", "--redact-personal-data", "off", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["redact_personal_data"] is False
    assert main([*base, "list", "--json"]) == 0
    listed = {p["code"]: p["redact_personal_data"] for p in json.loads(capsys.readouterr().out)}
    assert listed == {"freemium": True, "paygo": True, "pro": False}
    assert main([*base, "set", "--plan", "pro", "--redact-personal-data", "on", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["redact_personal_data"] is True
    with pytest.raises(SystemExit):
        main([*base, "set", "--plan", "pro", "--redact-personal-data", "maybe"])


@pytest.fixture
def echo_sim():
    """A provider that repeats the last user turn it was given."""
    s = Simulator(valid_keys={"anthropic": SIM_KEYS["anthropic"]},
                  respond=lambda system, prompt: f"You said: {prompt.splitlines()[-1]}").start()
    yield s
    s.stop()


def test_a_conversation_goes_out_with_placeholders_in_every_turn_and_the_reply_comes_back(world, echo_sim):
    from orchestrator.services.admin import providers

    orch = world
    providers.add_provider(orch, name="sim-echo", kind="anthropic", base_url=echo_sim.anthropic_base_url,
                           api_key=SIM_KEYS["anthropic"], timeout_s=5, actor=operator())
    set_chain(orch, "paygo", "chat", "sim-echo:claude-haiku-4-5")
    conversation = [
        {"role": "system", "content": "You help Paolo Paygo with his job search."},
        {"role": "user", "content": "My e-mail is paolo.private@mailbox.example."},
        {"role": "assistant", "content": "Noted."},
        {"role": "user", "content": "Put +351 912 345 678 and https://paolo.dev in my signature, Paolo Paygo."},
    ]
    reply = orch.run("chat", user=USER, messages=conversation)
    sent = received(echo_sim)
    assert leaked(sent) == [] and "[[EMAIL_1]]" in sent and "[[NAME_1]]" in sent
    assert reply.text == "You said: Put +351 912 345 678 and https://paolo.dev in my signature, Paolo Paygo."
    chunks, streamed = drain(orch.stream("chat", user=USER, messages=conversation))
    assert "".join(chunks) == streamed.text == reply.text
