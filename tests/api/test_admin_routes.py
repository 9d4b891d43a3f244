"""The admin REST routes (``/api/v1/admin``) with real personal tokens, on SQLite and PostgreSQL:
who may do what, keys that go in and never come out, credential tests against the
simulator, the audit trail, and usage across users."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEntry, Provider
from orchestrator.services.admin import users
from tests.api.conftest import bearer
from tests.sim_support import SIM_KEYS
from tests.support import POSTING, operator

KEY = "sk-proj-AdminRouteKey0123456789abcdefXYZ"
WRONG_KEY = "sk-proj-WrongAdminKey9876543210zyxwvuQRS"
KEYLESS = {"name": "local-llm", "kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1"}

# Every admin route, with a body that is valid for it: a plain user must get 403 on each.
ROUTES = [
    ("GET", "/admin/providers", None),
    ("POST", "/admin/providers", KEYLESS),
    ("GET", "/admin/providers/{name}", None),
    ("PATCH", "/admin/providers/{name}", {"priority": 5}),
    ("DELETE", "/admin/providers/{name}", None),
    ("POST", "/admin/providers/{name}/test", {"model": "gpt-4o-mini"}),
    ("GET", "/admin/usage", None),
]


@pytest.fixture
def ops(api_orch, token_for):
    """A plain admin's token (ops@example.com): trusted with providers, not with keys."""
    users.add_user(api_orch, email="ops@example.com", plan="pro", role="admin", actor=operator())
    return bearer(token_for("ops@example.com"))


@pytest.fixture
def boss(token_for):
    """The demo super admin's token (admin@example.com)."""
    return bearer(token_for("admin@example.com"))


def call(api, method: str, path: str, headers, body=None):
    return api.request(method, path, headers=headers, json=body)


def test_the_table_covers_every_admin_route():
    from orchestrator.http.routes_admin import router

    have = {(m, r.path) for r in router.routes for m in r.methods}
    assert have == {(m, p) for m, p, _ in ROUTES}


@pytest.mark.parametrize("method,path,body", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_a_plain_user_is_refused_every_admin_route(api, token_for, method, path, body):
    r = call(api, method, path.format(name="gemini"), bearer(token_for("free@example.com")), body)
    assert r.status_code == 403, r.text
    assert r.json() == {"error": "Only an admin may do this.", "error_type": "PermissionDenied"}


def test_no_token_is_401(api):
    r = api.get("/admin/providers")
    assert r.status_code == 401 and r.json()["error_type"] == "Unauthenticated"


def test_a_demoted_admin_is_refused_at_once(api, api_orch, ops):
    assert api.get("/admin/providers", headers=ops).status_code == 200
    users.set_role(api_orch, email="ops@example.com", role="user", actor=operator())
    assert api.get("/admin/providers", headers=ops).status_code == 403


def test_an_admin_manages_providers_without_keys(api, api_orch, ops):
    listed = api.get("/admin/providers", headers=ops).json()["providers"]
    assert {"gemini", "openai", "anthropic", "offline"} <= {p["name"] for p in listed}
    r = api.post("/admin/providers", headers=ops, json={**KEYLESS, "priority": 7, "active": False})
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["name"], p["kind"], p["priority"], p["active"], p["has_key"], p["key_source"]) == (
        "local-llm", "openai_compatible", 7, False, False, "none")
    r = api.patch("/admin/providers/local-llm", headers=ops,
                  json={"priority": 3, "active": True, "timeout_s": 20, "base_url": "http://127.0.0.1:10/v1"})
    assert r.status_code == 200, r.text
    assert (r.json()["priority"], r.json()["active"], r.json()["timeout_s"], r.json()["base_url"]) == (
        3, True, 20, "http://127.0.0.1:10/v1")
    assert api.get("/admin/providers/local-llm", headers=ops).json()["priority"] == 3
    assert api.delete("/admin/providers/local-llm", headers=ops).status_code == 204
    r = api.get("/admin/providers/local-llm", headers=ops)
    assert r.status_code == 404 and "No provider 'local-llm'" in r.json()["error"]


@pytest.mark.parametrize("method,path,body", [
    ("POST", "/admin/providers", {"name": "k1", "kind": "openai", "api_key": KEY}),
    ("POST", "/admin/providers", {"name": "k2", "kind": "openai", "api_key_env": "MY_OPENAI_KEY"}),
    ("PATCH", "/admin/providers/openai", {"api_key": KEY}),
    ("PATCH", "/admin/providers/openai", {"api_key_env": "OTHER_KEY"}),
    ("PATCH", "/admin/providers/keyed", {"api_key": None}),
    ("PATCH", "/admin/providers/keyed", {"base_url": "http://evil.example.com/v1"}),
    ("POST", "/admin/providers/keyed/test", {}),
], ids=["create with key", "create with key variable", "set key", "key variable", "clear key",
        "base URL of a keyed provider", "test credentials"])
def test_a_plain_admin_is_refused_credentials(api, api_orch, ops, boss, method, path, body):
    assert api.post("/admin/providers", headers=boss, json={"name": "keyed", "kind": "openai",
                    "base_url": "http://127.0.0.1:9/v1", "api_key": KEY}).status_code == 201
    r = call(api, method, path, ops, body)
    assert r.status_code == 403, r.text
    assert "super admin" in r.json()["error"] and KEY not in r.text
    with api_orch.db.read() as s:
        keyed = s.scalar(select(Provider).where(Provider.name == "keyed"))
        assert keyed.base_url == "http://127.0.0.1:9/v1" and api_orch.vault.decrypt(keyed.api_key_ciphertext) == KEY
        assert s.scalar(select(Provider).where(Provider.name.in_(["k1", "k2"]))) is None


def test_a_super_admin_sets_a_key_that_is_stored_encrypted_and_never_returned(api, api_orch, boss, database_url):
    answers = []
    r = api.post("/admin/providers", headers=boss, json={"name": "acme", "kind": "openai", "api_key": KEY,
                                                        "base_url": "http://127.0.0.1:9/v1"})
    answers.append(r)
    assert r.status_code == 201 and r.json()["has_key"] is True and r.json()["key_hint"] == "…" + KEY[-4:]
    assert r.json()["key_source"] == "vault"
    answers.append(api.get("/admin/providers", headers=boss))
    answers.append(api.get("/admin/providers/acme", headers=boss))
    answers.append(api.patch("/admin/providers/acme", headers=boss, json={"base_url": "http://127.0.0.1:10/v1"}))
    answers.append(api.post("/admin/providers/acme/test", headers=boss, json={"model": "gpt-4o-mini"}))
    answers.append(api.post("/admin/providers", headers=boss, json={"name": "acme", "kind": "openai",
                                                                   "api_key": KEY}))  # a duplicate: 400
    assert answers[-1].status_code == 400 and "already exists" in answers[-1].json()["error"]
    for a in answers:
        assert KEY not in a.text and KEY[8:] not in a.text
    with api_orch.db.read() as s:
        row = s.scalar(select(Provider).where(Provider.name == "acme"))
        stored = " ".join(str(getattr(row, c.key)) for c in Provider.__table__.columns)
        audit = " ".join(f"{e.before} {e.after}" for e in s.scalars(select(AuditEntry)))
    assert KEY not in stored and KEY not in audit
    assert api_orch.vault.decrypt(row.api_key_ciphertext) == KEY  # encrypted, not dropped
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = path.read_bytes() + (Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b"")
        assert KEY.encode() not in raw
    # and removing it
    r = api.patch("/admin/providers/acme", headers=boss, json={"api_key": None})
    assert r.status_code == 200 and r.json()["has_key"] is False and r.json()["key_hint"] is None


def test_a_bad_key_or_kind_is_a_clear_400(api, boss):
    r = api.post("/admin/providers", headers=boss, json={"name": "x", "kind": "openia"})
    assert r.status_code == 400
    assert r.json()["error"].startswith("Kind must be one of:") and "openai_compatible" in r.json()["error"]
    r = api.patch("/admin/providers/openai", headers=boss, json={"api_key": "short"})
    assert r.status_code == 400 and "does not look like an API key" in r.json()["error"]
    r = api.patch("/admin/providers/openai", headers=boss, json={"is_active": False})
    assert r.status_code == 422 and "is_active" in r.json()["error"]
    r = api.patch("/admin/providers/nope", headers=boss, json={"priority": 1})
    assert r.status_code == 404 and r.json()["error_type"] == "NotFound"


def test_deleting_a_provider_the_routing_policy_uses_is_a_conflict(api, ops):
    r = api.delete("/admin/providers/gemini", headers=ops)
    assert r.status_code == 409
    assert r.json()["error_type"] == "Conflict"
    assert "Cannot delete 'gemini': the live routing policy uses it in" in r.json()["error"]
    assert api.get("/admin/providers/gemini", headers=ops).status_code == 200


def test_credential_test_against_the_simulator(api, api_orch, boss, fresh_sim):
    body = {"name": "sim-openai", "kind": "openai", "base_url": fresh_sim.openai_base_url,
            "api_key": SIM_KEYS["openai"], "timeout_s": 5}
    assert api.post("/admin/providers", headers=boss, json=body).status_code == 201
    r = api.post("/admin/providers/sim-openai/test", headers=boss, json={"model": "gpt-4o-mini"})
    assert r.status_code == 200, r.text
    ok = r.json()
    assert ok["ok"] is True and ok["error_class"] is None and ok["model"] == "gpt-4o-mini"
    assert ok["latency_ms"] >= 0 and ok["message"]
    assert api.patch("/admin/providers/sim-openai", headers=boss, json={"api_key": WRONG_KEY}).status_code == 200
    r = api.post("/admin/providers/sim-openai/test", headers=boss, json={"model": "gpt-4o-mini"})
    bad = r.json()
    assert r.status_code == 200 and bad["ok"] is False and bad["error_class"] == "invalid_key"
    assert "key" in bad["message"].lower() and WRONG_KEY not in r.text and WRONG_KEY[-12:] not in r.text
    last = api.get("/admin/providers/sim-openai", headers=boss).json()["last_test"]
    assert last["ok"] is False and last["error_class"] == "invalid_key"
    r = api.post("/admin/providers/offline/test", headers=boss)  # no body: the default model
    assert r.status_code == 200 and r.json()["ok"] is True


def test_changes_are_audited_under_the_token_users_email(api, api_orch, ops, boss):
    api.post("/admin/providers", headers=ops, json=KEYLESS)
    api.patch("/admin/providers/local-llm", headers=ops, json={"priority": 2})
    api.post("/admin/providers", headers=boss, json={"name": "acme", "kind": "anthropic", "api_key": KEY})
    api.patch("/admin/providers/acme", headers=boss, json={"api_key": WRONG_KEY})
    api.delete("/admin/providers/local-llm", headers=ops)
    with api_orch.db.read() as s:
        got = [(e.actor, e.action, e.target_id) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action.like("provider.%")).order_by(AuditEntry.id))]
        changed = s.scalars(select(AuditEntry).where(AuditEntry.action == "provider.update",
                                                     AuditEntry.target_id == "acme")).one()
    assert got == [("ops@example.com", "provider.add", "local-llm"),
                   ("ops@example.com", "provider.update", "local-llm"),
                   ("admin@example.com", "provider.add", "acme"),
                   ("admin@example.com", "provider.update", "acme"),
                   ("ops@example.com", "provider.remove", "local-llm")]
    assert changed.after["key_changed"] is True and changed.after["key_hint"] == "…" + WRONG_KEY[-4:]


def test_usage_across_users(api, api_orch, ops):
    from orchestrator.services.reports.analytics import clear_cache

    api_orch.run("extract_job", user="free@example.com", text=POSTING)
    api_orch.run("extract_job", user="pro@example.com", text=POSTING + "\nAlso: Rust.")
    clear_cache()
    r = api.get("/admin/usage", headers=ops, params={"days": 7})
    assert r.status_code == 200, r.text
    u = r.json()
    assert u["period"]["days"] == 7
    assert u["totals"]["requests"] == 2 and u["totals"]["tokens"] > 0
    assert isinstance(u["totals"]["cost_usd"], str)
    assert {p["plan"]: p["requests"] for p in u["by_plan"]} == {"freemium": 1, "pro": 1}
    assert [(t["task"], t["requests"]) for t in u["by_task"]] == [("extract_job", 2)]
    assert sum(p["requests"] for p in u["by_provider"]) == 2
    assert all(isinstance(m["cost_usd"], str) for m in u["by_model"]) and u["by_model"]
    assert {x["email"] for x in u["top_users"]} == {"free@example.com", "pro@example.com"}
    assert api.get("/admin/usage", headers=ops, params={"days": 0}).status_code == 422
