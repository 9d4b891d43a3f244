"""Every CLI command end to end with its JSON, on both databases."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.cli import main
from tests.support import POSTING

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(database_url, settings, monkeypatch, capsys):
    """Run the CLI in-process against the test database; returns (exit code, parsed JSON or text)."""
    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", settings.master_keys[0])
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(settings.data_dir))

    def run(*argv: str, stdin: str | None = None, as_json: bool = True):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        args = ["--database-url", database_url, *argv] + (["--json"] if as_json else [])
        code = main(args)
        out, err = capsys.readouterr()
        return code, (json.loads(out) if as_json and out.strip() else out), err

    run.database_url = database_url
    return run


def test_db_upgrade_and_seed_are_idempotent(cli):
    code, data, _ = cli("db", "upgrade")
    assert code == 0 and data["revision"]
    code, data, _ = cli("seed")
    assert code == 0 and data["created"] == {"plans": 0, "providers": 0, "models": 0, "policies": 0}
    code, data, _ = cli("seed", "--demo")
    assert code == 0 and data["created"]["demo_accounts"] == 4


def test_users_commands(cli):
    code, user, _ = cli("users", "add", "--email", "New@Example.com", "--plan", "paygo", "--password-stdin",
                        stdin="s3cret-pass\n")
    assert code == 0 and user["email"] == "new@example.com" and user["plan"] == "paygo"
    code, users, _ = cli("users", "list")
    assert [u["email"] for u in users] == ["new@example.com"]
    code, user, _ = cli("users", "set-plan", "--email", "new@example.com", "--plan", "pro")
    assert user["plan"] == "pro"
    code, user, _ = cli("users", "top-up", "--email", "new@example.com", "--amount", "2.50")
    assert user["credit_usd"] == "2.5"
    code, err, _ = cli("users", "add", "--email", "new@example.com", "--plan", "pro")
    assert code == 1 and "already exists" in err["error"]
    code, err, _ = cli("users", "set-plan", "--email", "nobody@example.com", "--plan", "pro")
    assert code == 1 and err["error_type"] == "NotFound"


def test_providers_commands_store_only_ciphertext(cli, database_url, monkeypatch):
    key = "sk-proj-PlaintextMustNeverAppear12345"
    code, p, _ = cli("providers", "add", "--name", "acme-openai", "--kind", "openai", "--base-url",
                     "http://127.0.0.1:9/v1", "--api-key-stdin", "--priority", "5", stdin=key + "\n")
    assert code == 0 and p["key_hint"] == "…2345" and p["key_source"] == "vault"
    assert key not in json.dumps(p)
    code, rows, _ = cli("providers", "list")
    assert {r["name"] for r in rows} >= {"acme-openai", "offline", "gemini"}
    code, p, _ = cli("providers", "update", "acme-openai", "--deactivate", "--timeout", "12")
    assert p["is_active"] is False and p["timeout_s"] == 12
    code, res, _ = cli("providers", "test", "acme-openai", "--model", "gpt-4o-mini")
    assert code == 1 and res["ok"] is False and res["error_class"] == "unreachable"
    code, res, _ = cli("providers", "test", "offline")
    assert code == 0 and res["ok"] is True
    code, err, _ = cli("providers", "remove", "gemini")
    assert code == 1 and "routing policy uses it" in err["error"]
    code, out, _ = cli("providers", "remove", "acme-openai")
    assert code == 0 and out == {"removed": "acme-openai"}
    if database_url.startswith("sqlite"):
        cli("providers", "add", "--name", "k2", "--kind", "anthropic", "--api-key-stdin", stdin=key + "\n")
        raw = Path(database_url.removeprefix("sqlite:///")).read_bytes()
        wal = Path(database_url.removeprefix("sqlite:///") + "-wal")
        raw += wal.read_bytes() if wal.exists() else b""
        assert key.encode() not in raw and b"PlaintextMustNeverAppear" not in raw
    code, out, _ = cli("keys", "rotate")
    assert code == 0 and out["rotated"] >= 0


def test_route_commands(cli):
    code, pol, _ = cli("route", "show", "--plan", "pro", "--task", "draft_cv")
    assert code == 0 and pol["version"] == 1
    (cell,) = pol["cells"]
    assert cell["chain"][0] == {"provider": "anthropic", "model": "claude-opus-4-1", "temperature": None,
                                "max_tokens": 2500}
    code, pol, _ = cli("route", "set", "--plan", "pro", "--task", "draft_cv", "--chain",
                       "gemini:gemini-2.5-pro,offline:offline-engine-v1")
    assert pol["version"] == 2
    assert [s["provider"] for s in pol["cells"][0]["chain"]] == ["gemini", "offline"]
    code, hist, _ = cli("route", "history")
    assert [h["version"] for h in hist] == [2, 1]
    code, pol, _ = cli("route", "revert", "--version", "1")
    assert pol["version"] == 3
    code, err, _ = cli("route", "set", "--plan", "pro", "--task", "draft_cv", "--chain", "nope:model")
    assert code == 1 and "No provider 'nope'" in err["error"]
    code, err, _ = cli("route", "set", "--plan", "pro", "--task", "draft_cv", "--chain", "gemini")
    assert code == 1 and "PROVIDER:MODEL" in err["error"]


def test_plans_commands(cli):
    code, plans, _ = cli("plans", "list")
    assert [p["code"] for p in plans] == ["freemium", "paygo", "pro"]
    code, plan, _ = cli("plans", "set", "--plan", "freemium", "--requests-per-day", "3", "--cost-cap-usd", "none")
    assert plan["requests_per_day"] == 3 and plan["cost_cap_usd_month"] is None


def test_profile_run_and_usage(cli, tmp_path):
    cli("seed", "--demo")
    md = tmp_path / "cv.md"
    md.write_text("# Sam Sample\nBackend Engineer\nsam@example.com\n\n## Skills\nPython, SQL, Docker\n")
    code, prof, _ = cli("profile", "set", "--user", "free@example.com", "--file", str(md))
    assert code == 0 and prof["name"] == "Sam Sample" and "Python" in prof["skills"]
    code, prof, _ = cli("profile", "show", "--user", "free@example.com")
    assert prof["name"] == "Sam Sample"
    posting = tmp_path / "posting.txt"
    posting.write_text(POSTING)
    code, res, _ = cli("run", "extract_job", "--user", "free@example.com", "--file", str(posting))
    assert code == 0 and res["provider"] == "offline" and res["job_id"] and res["cost_usd"] == "0"
    assert res["data"]["title"] == "Senior Python Engineer"
    assert set(res["usage"]) >= {"input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens"}
    code, res2, _ = cli("run", "cover_letter", "--user", "free@example.com", "--job-id", str(res["job_id"]),
                        "--tone", "friendly")
    assert code == 0 and "Senior Python Engineer" in res2["text"] and res2["document_id"]
    code, rows, _ = cli("usage", "--user", "free@example.com")
    assert [r["status"] for r in rows] == ["success", "success"]
    row = rows[0]
    assert row["provider"] == "offline" and row["task_type"] == "extract_job" and row["cost_usd"] == "0"
    assert set(row) >= {"timestamp", "user_id", "provider", "model", "task_type", "tokens_input",
                        "tokens_output", "cost_usd", "latency_ms", "status", "request_id", "attempt", "plan",
                        "tokens_cached", "tokens_reasoning", "error_type"}
    code, rows, _ = cli("usage", "--since", "2999-01-01", "--user", "free@example.com")
    assert rows == []
    code, err, _ = cli("run", "draft_cv", "--user", "free@example.com", "--job-id", "99999")
    assert code == 1 and err["error_type"] == "NotFound"
    code, err, _ = cli("run", "extract_job", "--user", "free@example.com", "--text", "   ")
    assert code == 1 and "empty" in err["error"]


def test_errors_are_one_line_without_traceback(database_url):
    proc = subprocess.run([sys.executable, "-m", "orchestrator", "--database-url", database_url, "run",
                           "extract_job", "--user", "ghost@example.com", "--text", "x"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["error: No user 'ghost@example.com'."]
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("env, url, says", [
    ({"ORCHESTRATOR_MAX_RETRIES": "abc"}, None, "error: ORCHESTRATOR_MAX_RETRIES must be a whole number, not 'abc'."),
    ({"ORCHESTRATOR_ATTEMPT_TIMEOUT_S": "-1"}, None, "error: ORCHESTRATOR_ATTEMPT_TIMEOUT_S must be more than 0"),
    ({}, "::not a url::", "error: DATABASE_URL is not a valid database URL."),
    ({}, "nonsense://host/db", "error: DATABASE_URL names a database this app cannot use ('nonsense')."),
])
def test_bad_configuration_is_one_line_without_traceback(database_url, env, url, says):
    import os

    proc = subprocess.run([sys.executable, "-m", "orchestrator", "--database-url", url or database_url, "plans",
                           "list"], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith(says)


def test_cli_changes_are_audited_as_the_operator(cli):
    from orchestrator import Orchestrator
    from orchestrator.services.reports import logs

    cli("plans", "set", "--plan", "freemium", "--requests-per-day", "7")
    with Orchestrator(database_url=cli.database_url) as orch:
        entry = logs.audit_entries(orch, action="plan.set_limits").rows[0]
    assert entry.actor.startswith("cli")


def test_demo_purge(cli):
    cli("seed", "--demo")
    code, out, _ = cli("demo", "purge")
    assert code == 0 and out["removed"]["users"] == 4 + 240 and out["removed"]["ledger_rows"] > 10_000
    code, users, _ = cli("users", "list")
    assert users == []


@pytest.mark.parametrize("kind", ["openai", "anthropic", "gemini"])
def test_cli_registered_provider_serves_all_three_tasks(cli, fresh_sim, kind):
    """`providers add --kind K --base-url http://127.0.0.1:PORT[/v1]` against a server speaking
    the real wire format serves extraction, CV and cover letter."""
    from tests.sim_support import SIM_KEYS

    base = fresh_sim.openai_base_url if kind == "openai" else fresh_sim.url
    model = {"openai": "gpt-4o-mini", "anthropic": "claude-haiku-4-5", "gemini": "gemini-2.5-flash"}[kind]
    cli("seed", "--demo")
    code, p, _ = cli("providers", "add", "--name", f"my-{kind}", "--kind", kind, "--base-url", base,
                     "--api-key-stdin", stdin=SIM_KEYS[kind] + "\n")
    assert code == 0
    code, res, _ = cli("providers", "test", f"my-{kind}", "--model", model)
    assert code == 0 and res["ok"] is True and res["latency_ms"] >= 0
    for task in ("extract_job", "draft_cv", "cover_letter"):
        code, _, _ = cli("route", "set", "--plan", "freemium", "--task", task, "--chain", f"my-{kind}:{model}")
        assert code == 0
    code, job, _ = cli("run", "extract_job", "--user", "free@example.com", "--text", POSTING)
    assert code == 0 and job["provider"] == f"my-{kind}" and job["model"] == model and job["job_id"]
    assert job["data"]["title"] == "Senior Python Engineer" and float(job["cost_usd"]) > 0
    for task in ("draft_cv", "cover_letter"):
        code, doc, _ = cli("run", task, "--user", "free@example.com", "--job-id", str(job["job_id"]))
        assert code == 0 and doc["provider"] == f"my-{kind}" and "Senior Python Engineer" in doc["text"]
