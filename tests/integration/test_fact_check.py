"""Drafts are checked against the profile before anything is saved, through the real pipeline with
simulated providers, on both databases. The simulator's ``reply`` fault makes a model write what the
test wants (a CV that invents an employer):

- the first provider invents an employer twice: two failed attempts (``invalid_output``, the message
  names the employer, the tokens priced, nothing charged), the repair prompt names it too, then the
  next provider serves and only its document is saved;
- the repair works: one failed attempt, then the same provider serves;
- a letter that claims an invented employer in prose falls back the same way;
- an honest draft in a shape of the model's own (not the offline engine's) passes first time.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Document, UsageRecord
from orchestrator import StreamRestart
from orchestrator.result import Result
from orchestrator.tasks import TASKS, document_tasks
from tests.sim_support import set_chain
from tests.support import POSTING

USER = "free@example.com"  # Frida Free: Stadtwerke Berlin and TU Berlin, 2020-2025
CHAIN = "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite"
CV_TASK = next(t.name for t in document_tasks() if t.document_kind == "cv")
LETTER_TASK = next(t.name for t in document_tasks() if t.document_kind != "cv" and t.verify is not None)

INVENTED_CV = """# Frida Free
**Junior Data Analyst**

## Experience
### Data Analyst — Initech (2024 – 2025)
- Built Power BI dashboards for energy usage used by 40 managers

### Student Assistant — TU Berlin (2022 – 2024)
- Taught Excel and statistics tutorials to 60 students

## Education
- B.Sc. Economics, TU Berlin (2020 – 2024)
"""
HONEST_CV = """# Frida Free
Junior Data Analyst · Berlin, Germany

## Professional Experience
**Stadtwerke Berlin** | Data Analyst Intern | 03/2024 – 02/2025
- Built Power BI dashboards on energy usage for 40 managers
- Automated weekly reporting in Python and pandas, saving 6 hours a week

**Technische Universität Berlin** | Student Assistant | 10/2022 – 02/2024
- Taught Excel and statistics tutorials to 60 students

## Education
| Degree | School | Years |
|---|---|---|
| Bachelor of Science in Economics | TU Berlin | 2020–2024 |

## Skills
Python, SQL, PostgreSQL, pandas, Power BI, Excel, data visualisation, communication
"""
INVENTED_LETTER = """Dear Hiring Team at Acme Analytics GmbH,

I am applying for the Senior Python Engineer role. For the last three years I worked as a data engineer at
Initech, where I ran PostgreSQL and Kubernetes in production.

Kind regards,
Frida Free
"""


def ledger(orch, request_id):
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)
                         .order_by(UsageRecord.attempt)).all()


def documents(orch, request_id):
    with orch.db.read() as s:
        return s.scalars(select(Document).where(Document.request_id == request_id)).all()


def calls(sim, vendor: str) -> list[dict]:
    return [e for e in sim.requests if e["vendor"] == vendor and e["action"] in ("chat", "generate", "stream")]


def run(orch, task: str, streamed: bool, **kwargs):
    if not streamed:
        return orch.run(task, user=USER, **kwargs), []
    events = list(orch.stream(task, user=USER, **kwargs))
    assert isinstance(events[-1], Result)
    return events[-1], [e for e in events if isinstance(e, StreamRestart)]


@pytest.fixture
def job_id(sim_orch, demo_users):
    return sim_orch.run("extract_job", user=USER, text=POSTING).job_id  # the offline engine reads the posting


def test_both_drafting_tasks_are_checked():
    assert {t.name for t in document_tasks() if t.verify is not None} >= {CV_TASK, LETTER_TASK}
    assert TASKS[CV_TASK].prompt_version.endswith("/v2")  # the prompt says the draft is checked


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_a_cv_inventing_an_employer_twice_falls_back_and_is_never_charged(sim_orch, fresh_sim, job_id, streamed):
    orch = sim_orch
    set_chain(orch, "freemium", CV_TASK, CHAIN)
    fresh_sim.add_fault("openai", kind="reply", text=INVENTED_CV, times=2)
    r, restarts = run(orch, CV_TASK, streamed, job_id=job_id)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.status, x.error_type) for x in rows] == [
        ("sim-openai", "error", "invalid_output"), ("sim-openai", "error", "invalid_output"),
        ("sim-gemini", "success", None)]
    for failed in rows[:2]:
        assert "employer 'Initech'" in failed.error_message
        assert failed.tokens_output > 0 and failed.cost_usd is not None and failed.cost_usd > 0  # it cost us
        assert failed.charged_usd == Decimal(0)  # ... never the user
    assert r.charged_usd == rows[2].charged_usd and r.provider == "sim-gemini"
    (doc,) = documents(orch, r.request_id)
    assert doc.provider == "sim-gemini" and "Initech" not in doc.content and "Stadtwerke Berlin" in doc.content
    openai_calls = calls(fresh_sim, "openai")
    assert len(openai_calls) == 2  # one repair attempt, then the next provider
    repair = openai_calls[1].get("body")
    if repair is not None:  # the simulator keeps the body it received: the repair names the invented fact
        assert "employer 'Initech'" in json.dumps(repair, ensure_ascii=False)
    if streamed:
        assert [x.action for x in restarts] == ["retry", "fallback"]
        assert restarts[-1].provider == "sim-gemini"


def test_the_repair_attempt_can_succeed(sim_orch, fresh_sim, job_id):
    orch = sim_orch
    set_chain(orch, "freemium", CV_TASK, CHAIN)
    fresh_sim.add_fault("openai", kind="reply", text=INVENTED_CV, times=1)
    r = orch.run(CV_TASK, user=USER, job_id=job_id)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.status, x.error_type) for x in rows] == [
        ("sim-openai", "error", "invalid_output"), ("sim-openai", "success", None)]
    assert "Initech" in rows[0].error_message and rows[0].charged_usd == 0
    (doc,) = documents(orch, r.request_id)
    assert doc.provider == "sim-openai" and "Initech" not in doc.content
    assert calls(fresh_sim, "gemini") == []


def test_a_letter_claiming_an_invented_employer_falls_back(sim_orch, fresh_sim, job_id):
    orch = sim_orch
    set_chain(orch, "freemium", LETTER_TASK, CHAIN)
    fresh_sim.set_sticky_fault("openai", kind="reply", text=INVENTED_LETTER)
    r = orch.run(LETTER_TASK, user=USER, job_id=job_id)
    rows = ledger(orch, r.request_id)
    assert [(x.provider, x.error_type) for x in rows] == [
        ("sim-openai", "invalid_output"), ("sim-openai", "invalid_output"), ("sim-gemini", None)]
    assert "employer 'Initech'" in rows[0].error_message
    assert "Acme Analytics" not in rows[0].error_message  # the hiring company is the posting's: a letter may name it
    assert r.provider == "sim-gemini" and "Initech" not in r.text


def test_an_honest_draft_in_the_models_own_shape_passes_first_time(sim_orch, fresh_sim, job_id):
    orch = sim_orch
    set_chain(orch, "freemium", CV_TASK, CHAIN)
    fresh_sim.add_fault("openai", kind="reply", text=HONEST_CV)
    r = orch.run(CV_TASK, user=USER, job_id=job_id)
    assert [(x.provider, x.status) for x in ledger(orch, r.request_id)] == [("sim-openai", "success")]
    assert r.text.strip() == HONEST_CV.strip()
