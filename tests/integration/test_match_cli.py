"""The match score as a service and as ``python -m orchestrator match``, on both databases:
ownership, no cost, the same on every plan, and the ``--json`` contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import UsageRecord
from orchestrator.cli import main
from orchestrator.errors import NotFound
from orchestrator.services.user import matching, profiles
from tests.support import POSTING

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(database_url, settings, monkeypatch, capsys):
    """Run the CLI in-process against the test database: (exit code, parsed JSON or text, stderr)."""
    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", settings.master_keys[0])
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(settings.data_dir))

    def run(*argv: str, as_json: bool = True):
        code = main(["--database-url", database_url, *argv] + (["--json"] if as_json else []))
        out, err = capsys.readouterr()
        return code, (json.loads(out) if as_json and out.strip() else out), err

    return run


def _ledger_rows(orch) -> int:
    with orch.db.read() as s:
        return s.scalar(select(func.count()).select_from(UsageRecord))


def test_service_scores_the_users_own_job_at_no_cost(demo_users):
    orch = demo_users
    job_id = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    before = _ledger_rows(orch)
    report = matching.match_job(orch, user="free@example.com", job_id=job_id)
    # Frida's profile: Python, SQL, PostgreSQL...; the posting also asks for Docker and Kubernetes
    assert {"Python", "PostgreSQL", "SQL"} <= set(report.matched)
    assert {"Docker", "Kubernetes", "FastAPI"} <= set(report.missing)
    assert 0 < report.score < 100 and report.job_id == job_id and report.job_title == "Senior Python Engineer"
    assert report.summary.startswith("Your profile covers ")
    assert _ledger_rows(orch) == before  # no ledger row, nothing charged or held

    with_draft = matching.match_job(orch, user="free@example.com", job_id=job_id,
                                    draft_text="# Frida Free\n\nPython developer.", draft_noun="CV")
    assert with_draft.left_out and "Python" not in with_draft.left_out and "SQL" in with_draft.left_out
    assert with_draft.draft_summary.startswith("Your CV covers ")


def test_other_users_jobs_are_not_found(demo_users):
    orch = demo_users
    job_id = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    with pytest.raises(NotFound, match="not one of your saved jobs"):
        matching.match_job(orch, user="pro@example.com", job_id=job_id)
    with pytest.raises(NotFound):
        matching.match_job(orch, user="free@example.com", job_id=job_id + 1000)


def test_same_answer_on_every_plan(demo_users):
    orch = demo_users
    profile = profiles.get_profile(orch, user="free@example.com")
    reports = []
    for email in ("free@example.com", "paygo@example.com", "pro@example.com"):
        profiles.save_profile(orch, user=email, profile=profile)
        job_id = orch.run("extract_job", user=email, text=POSTING).job_id
        reports.append(matching.match_job(orch, user=email, job_id=job_id).as_json())
    assert reports[0] == reports[1] == reports[2]


def test_profile_without_skills_gets_an_explanation(demo_users):
    from orchestrator.schemas import Profile

    orch = demo_users
    profiles.save_profile(orch, user="free@example.com", profile=Profile(name="Frida Free"))
    job_id = orch.run("extract_job", user="free@example.com", text=POSTING).job_id
    report = matching.match_job(orch, user="free@example.com", job_id=job_id)
    assert report.score == 0 and report.matched == () and "Python" in report.missing
    assert report.profile_empty and "Your profile is empty" in report.summary


def test_cli_match_json_contract(cli, demo_users):
    job_id = demo_users.run("extract_job", user="free@example.com", text=POSTING).job_id
    code, data, _ = cli("match", "--user", "free@example.com", "--job-id", str(job_id))
    assert code == 0
    assert list(data) == ["score", "matched", "missing"]
    assert isinstance(data["score"], int) and 0 <= data["score"] <= 100
    assert all(isinstance(x, str) for x in data["matched"] + data["missing"])
    assert "Python" in data["matched"] and {"Docker", "Kubernetes"} <= set(data["missing"])

    code, text, _ = cli("match", "--user", "free@example.com", "--job-id", str(job_id), as_json=False)
    assert code == 0 and text.startswith(f"Match score {data['score']}/100 for job {job_id}: Senior Python Engineer")
    assert "Missing: " in text and "Docker" in text

    code, err, _ = cli("match", "--user", "pro@example.com", "--job-id", str(job_id))
    assert code == 1 and err["error_type"] == "NotFound"
    code, err, _ = cli("match", "--user", "ghost@example.com", "--job-id", str(job_id))
    assert code == 1 and err == {"error": "No user 'ghost@example.com'.", "error_type": "NotFound"}


def test_cli_match_as_a_process_prints_only_the_json(database_url, demo_users, settings):
    import os

    job_id = demo_users.run("extract_job", user="free@example.com", text=POSTING).job_id
    env = {**os.environ, "ORCHESTRATOR_MASTER_KEY": settings.master_keys[0],
           "ORCHESTRATOR_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.run([sys.executable, "-m", "orchestrator", "--database-url", database_url, "match",
                           "--user", "free@example.com", "--job-id", str(job_id), "--json"],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"score", "matched", "missing"} and isinstance(data["score"], int)
