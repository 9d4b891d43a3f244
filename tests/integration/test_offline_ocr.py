"""Screenshots read offline: the offline engine reads a screenshot with the OCR bundled in
rapidocr-onnxruntime and extracts the job as from text, on both databases; an image without
readable text is refused before anything is charged or saved; nothing leaves the machine.

The screenshots are drawn at test time (tests/fixtures/screenshots/render.py). Reading one takes
a few seconds of CPU; the engine remembers the last few texts, so the second database's run of
the same screenshot reads nothing again."""

from __future__ import annotations

import socket
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import UsageRecord
from orchestrator import InputRejected
from orchestrator.offline import ocr
from orchestrator.services.user import account, documents
from tests.fixtures.screenshots.render import blank, posting_text, screenshot
from tests.sim_support import set_chain

pytest.importorskip("rapidocr_onnxruntime")


def _rows(orch, request_id=None, user_email=None):
    from db.models import User

    with orch.db.read() as s:
        q = select(UsageRecord)
        if request_id:
            q = q.where(UsageRecord.request_id == request_id)
        if user_email:
            q = q.where(UsageRecord.user_id == s.scalar(select(User.id).where(User.email == user_email)))
        return s.scalars(q.order_by(UsageRecord.id)).all()


def test_a_screenshot_is_read_and_extracted_offline(demo_users):
    orch = demo_users
    r = orch.run("extract_job", user="free@example.com", image=screenshot("linkedin_data_engineer"))
    assert r.provider_kind == "offline" and r.offline and r.cost_usd == Decimal(0)
    job = r.data
    assert (job.title, job.company) == ("Senior Data Engineer", "Northwind Logistics")
    assert job.location.startswith("Amsterdam") and job.remote_mode == "hybrid" and job.seniority == "senior"
    assert {"Apache Airflow", "Apache Kafka", "Snowflake", "dbt", "Python", "SQL", "AWS", "Terraform", "Docker",
            "Kubernetes", "Apache Spark"} <= set(job.skills)
    assert len(job.requirements) >= 5 and len(job.responsibilities) >= 5 and len(job.benefits) >= 3
    [saved] = documents.list_jobs(orch, user="free@example.com")
    assert saved.id == r.job_id and saved.source == "image" and saved.title == "Senior Data Engineer"
    assert [(x.status, x.provider) for x in _rows(orch, r.request_id)] == [("success", "offline")]


@pytest.mark.parametrize("name", ["german_frontend_munich", "remote_startup_fullstack"])
def test_screenshots_read_as_their_text_does(demo_users, name):
    """The job from a screenshot has the title, the company and the skills the posting's own text gives."""
    from orchestrator.offline.extract import extract_posting

    truth = extract_posting(posting_text(name))
    job = demo_users.run("extract_job", user="free@example.com", image=screenshot(name)).data
    assert job.company == truth.company
    assert set(job.title.lower().split()) & set(truth.title.lower().split())
    found = [s for s in truth.skills if s in job.skills]
    assert len(found) >= 0.8 * len(truth.skills), (found, truth.skills)


def test_a_blank_screenshot_is_refused_and_nothing_is_charged_counted_or_saved(demo_users):
    orch = demo_users
    email = "paygo@example.com"
    before = account.account_status(orch, user=email)
    with pytest.raises(InputRejected, match="No readable text was found in the screenshot"):
        orch.run("extract_job", user=email, image=blank())
    after = account.account_status(orch, user=email)
    assert documents.list_jobs(orch, user=email) == []
    [row] = _rows(orch, user_email=email)
    assert (row.status, row.error_type, row.provider) == ("error", "input_rejected", "offline")
    assert row.charged_usd == Decimal(0)
    assert after.credit_usd == before.credit_usd and after.credit_held_usd == before.credit_held_usd
    assert after.requests_today.used == before.requests_today.used
    assert after.cost_month.used == before.cost_month.used


def test_a_corrupt_image_is_refused_before_any_attempt(demo_users):
    orch = demo_users
    with pytest.raises(InputRejected, match="not a readable image"):
        orch.run("extract_job", user="free@example.com", image=b"\x89PNG\r\n\x1a\nnot really a png")
    assert _rows(orch, user_email="free@example.com") == []


def test_a_vision_model_that_answers_an_empty_job_falls_back_and_is_not_charged(demo_users, fresh_sim):
    """A vision model that answers a posting with nothing in it (as if it could not read the image):
    that answer is invalid output (one repair, then fallback), never a saved job; the offline OCR reads it."""
    import json

    from tests.sim_support import add_sim_providers

    orch = demo_users
    add_sim_providers(orch, fresh_sim)
    empty = {"title": "", "company": None, "location": None, "remote_mode": "unknown", "employment_type": "unknown",
             "seniority": "unknown", "salary": None, "skills": [], "requirements": [], "responsibilities": [],
             "benefits": [], "summary": None, "contact": None}
    fresh_sim.add_fault("openai", "reply", text=json.dumps(empty), times=2)
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini,offline:offline-engine-v1")
    r = orch.run("extract_job", user="free@example.com", image=screenshot("linkedin_data_engineer"))
    assert r.provider == "offline" and r.data.title == "Senior Data Engineer"
    rows = _rows(orch, r.request_id)
    assert [(x.provider, x.status, x.error_type) for x in rows] == [
        ("sim-openai", "error", "invalid_output"), ("sim-openai", "error", "invalid_output"),
        ("offline", "success", None)]
    assert all(x.charged_usd == Decimal(0) for x in rows)
    assert len(documents.list_jobs(orch, user="free@example.com")) == 1


def test_a_plan_without_the_offline_engine_in_its_chain_still_reads_screenshots(demo_users):
    """When every provider of the chain is unusable (no key), the offline engine ends the route:
    for screenshots too, now that it reads them."""
    set_chain(demo_users, "freemium", "extract_job", "openai:gpt-5-nano")  # seeded, but no API key here
    r = demo_users.run("extract_job", user="free@example.com", image=screenshot("linkedin_data_engineer"))
    assert r.provider_kind == "offline" and r.data.title == "Senior Data Engineer"


def test_nothing_leaves_the_machine(monkeypatch):
    """Building the engine and reading a screenshot open no connection and resolve no name."""
    attempts: list[tuple] = []

    def refuse(kind):
        def guard(*args, **kwargs):
            attempts.append((kind, args[1:] if kind.startswith("socket.") else args))
            raise ConnectionRefusedError(f"OCR tried {kind}")
        return guard

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", refuse("socket.sendto"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(ocr, "_engine", None)  # built again, under the guard
    monkeypatch.setattr(ocr, "_memo", type(ocr._memo)())
    text = ocr.read_text(screenshot("terse_go_backend"))
    assert "Backend Dev (Go)" in text and "jobs@ledgerly.io" in text and attempts == []


def test_the_models_ship_inside_the_wheel():
    import rapidocr_onnxruntime

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    names = sorted(p.name for p in models.glob("*.onnx"))
    assert names == ["ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx"]
    assert all((models / n).stat().st_size > 1_000_000 for n in names if "PP-OCRv4" in n)  # det 4.7 MB, rec 10.9 MB


def test_the_reading_stops_at_the_deadline_with_what_it_has(monkeypatch):
    """A very long page is read in strips, top down, until the attempt's time is up."""
    import time

    strips = []
    monkeypatch.setattr(ocr, "_strips", lambda arr: [(0, 10), (10, 20), (20, 30)])

    def read_strip(engine, arr, top):
        strips.append(top)
        time.sleep(0.05)
        return [ocr.Box(0.0, float(top), 400.0, float(top) + 20, f"Backend Engineer strip {top}")]

    monkeypatch.setattr(ocr, "_read_strip", read_strip)
    monkeypatch.setattr(ocr, "_memo", type(ocr._memo)())
    text = ocr.read_text(screenshot("terse_go_backend"), deadline=time.monotonic() + 0.01)
    assert strips == [0] and text == "Backend Engineer strip 0"

