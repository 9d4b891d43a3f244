"""Listing a provider's models through the real SDKs against the simulator, in each vendor's
wire format: OpenAI ``GET /v1/models`` (OpenAI and OpenAI-compatible servers), Anthropic's
paged ``models.list`` and Gemini's paged ``models.list`` (chat models only). Failures come
out as ProviderErrors worded for a listing, never with the key; the service keeps keyed
listing to super admins and registers chosen models in the catalog, unpriced when unknown."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from db.models import AuditEntry
from orchestrator.errors import InputRejected, PermissionDenied, ProviderError
from orchestrator.providers.base import ProviderConfig
from orchestrator.providers.registry import get_adapter
from orchestrator.services.admin import admin_providers, catalog, providers
from orchestrator.services.admin.users import add_user
from tests.sim_support import SIM_KEYS, add_sim_providers
from tests.support import acting, operator


def _config(kind: str, base_url: str, key: str | None) -> ProviderConfig:
    return ProviderConfig(name=f"t-{kind}", kind=kind, base_url=base_url, api_key=key, timeout_s=5)


@pytest.fixture
def models_sim(fresh_sim):
    yield fresh_sim
    for vendor in ("openai", "anthropic", "gemini"):
        fresh_sim.set_models(vendor, None)
    fresh_sim.local.set_models("openai", None)


def _list_calls(sim) -> list[dict]:
    return [r for r in sim.requests if r["action"] == "list"]


def test_openai_lists_the_ids_of_v1_models(models_sim):
    models_sim.set_models("openai", ["gpt-4.1-mini", "gpt-4o-mini", "o4-mini"])
    got = get_adapter("openai").list_models(_config("openai", models_sim.openai_base_url, SIM_KEYS["openai"]))
    assert got == ["gpt-4.1-mini", "gpt-4o-mini", "o4-mini"]
    (call,) = _list_calls(models_sim)
    assert call["path"] == "/v1/models" and call["auth"] == "ok"
    # the wire format the SDK parsed: {"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}
    raw = httpx.get(models_sim.openai_base_url + "/models",
                    headers={"Authorization": f"Bearer {SIM_KEYS['openai']}"}).json()
    assert raw["object"] == "list" and set(raw["data"][0]) == {"id", "object", "created", "owned_by"}
    assert raw["data"][0]["object"] == "model"


def test_an_openai_compatible_server_lists_without_a_key(models_sim):
    local = models_sim.local
    local.set_models("openai", ["llama3.1:8b", "qwen2.5:14b"])
    got = get_adapter("openai_compatible").list_models(_config("openai_compatible", local.openai_base_url, None))
    assert got == ["llama3.1:8b", "qwen2.5:14b"]


def test_anthropic_reads_every_page(models_sim):
    names = [f"claude-sim-{i:03d}" for i in range(130)]
    models_sim.set_models("anthropic", names)
    got = get_adapter("anthropic").list_models(
        _config("anthropic", models_sim.anthropic_base_url, SIM_KEYS["anthropic"]))
    assert got == names
    assert len(_list_calls(models_sim)) == 2  # 100 per page, then the rest after last_id
    raw = httpx.get(models_sim.anthropic_base_url + "/v1/models?limit=2",
                    headers={"x-api-key": SIM_KEYS["anthropic"], "anthropic-version": "2023-06-01"}).json()
    assert raw["has_more"] is True and raw["first_id"] == names[0] and raw["last_id"] == names[1]
    assert raw["data"][0] == {"type": "model", "id": names[0], "display_name": "Claude Sim 000",
                              "created_at": "2025-01-01T00:00:00Z"}


def test_gemini_reads_every_page_and_keeps_chat_models(models_sim):
    names = [f"gemini-sim-{i:03d}" for i in range(120)]
    models_sim.set_models("gemini", [*names[:60], "gemini-embedding-001", *names[60:]])
    got = get_adapter("gemini").list_models(_config("gemini", models_sim.gemini_base_url, SIM_KEYS["gemini"]))
    assert got == names  # without "models/", without the embedding-only model
    assert len(_list_calls(models_sim)) == 2  # nextPageToken followed
    url = models_sim.gemini_base_url + "/v1beta/models"
    first = httpx.get(url, params={"pageSize": 100}, headers={"x-goog-api-key": SIM_KEYS["gemini"]}).json()
    last = httpx.get(url, params={"pageSize": 100, "pageToken": first["nextPageToken"]},
                     headers={"x-goog-api-key": SIM_KEYS["gemini"]}).json()
    assert first["models"][0]["name"] == "models/gemini-sim-000" and "nextPageToken" not in last
    assert "generateContent" in first["models"][0]["supportedGenerationMethods"]
    assert first["models"][60]["supportedGenerationMethods"] == ["embedContent", "countTextTokens"]


def test_the_offline_engine_lists_its_own_model():
    assert get_adapter("offline").list_models(ProviderConfig(name="offline", kind="offline")) == ["offline-engine-v1"]


def test_failures_are_typed_and_never_carry_the_key(models_sim):
    wrong = "sk-proj-WrongListingKey0000000000000000"
    with pytest.raises(ProviderError) as bad:
        get_adapter("openai").list_models(_config("openai", models_sim.openai_base_url, wrong))
    assert bad.value.kind == "auth" and bad.value.status_code == 401
    assert wrong not in str(bad.value) and wrong[-4:] not in str(bad.value)
    assert bad.value.__cause__ is None and bad.value.__context__ is None
    with pytest.raises(ProviderError) as lost:  # a base URL without /v1: the server has no list there
        get_adapter("openai_compatible").list_models(_config("openai_compatible", models_sim.local.url, None))
    assert lost.value.kind == "not_found"
    assert str(lost.value).startswith("t-openai_compatible has no model list at http://127.0.0.1:")
    with pytest.raises(ProviderError) as down:
        get_adapter("gemini").list_models(_config("gemini", "http://127.0.0.1:9", SIM_KEYS["gemini"]))
    assert down.value.kind == "unreachable" and str(down.value) == "Could not connect to http://127.0.0.1:9."
    models_sim.add_fault("anthropic", kind="status", status=503)
    with pytest.raises(ProviderError) as busy:
        get_adapter("anthropic").list_models(
            _config("anthropic", models_sim.anthropic_base_url, SIM_KEYS["anthropic"]))
    assert busy.value.kind == "server_error" and busy.value.retryable


def test_the_service_lists_with_the_stored_key_for_super_admins_only(orch, models_sim):
    add_sim_providers(orch, models_sim)
    models_sim.set_models("gemini", ["gemini-2.5-flash", "gemini-2.5-pro"])
    assert admin_providers.server_models(orch, actor=operator(), name="sim-gemini") == ["gemini-2.5-flash",
                                                                                         "gemini-2.5-pro"]
    add_user(orch, email="ops@example.com", plan="pro", role="admin", password="demo", actor=operator())
    ops = acting(orch, "ops@example.com")
    with pytest.raises(PermissionDenied):
        admin_providers.server_models(orch, actor=ops, name="sim-gemini")  # would use the key
    assert admin_providers.server_models(orch, actor=ops, name="sim-local") == list(models_sim.local.models_for(
        "openai"))


def test_chosen_models_are_registered_for_the_provider_and_audited(orch, models_sim):
    add_sim_providers(orch, models_sim)
    done = admin_providers.add_models(orch, actor=operator(), name="sim-local",
                                      models="llama-sim-70b\ngpt-4o-mini, llama-sim-70b")
    # a self-hosted server's models have no vendor price: unpriced until an admin prices them
    assert done.added == done.unpriced == ["llama-sim-70b", "gpt-4o-mini"]
    rows = {r.model: r for r in catalog.list_models(orch, kind="openai_compatible")}
    assert rows["llama-sim-70b"].input_usd_per_mtok is None  # unpriced, never $0
    assert admin_providers.test_models(orch, name="sim-local") == ["gpt-4o-mini", "llama-sim-70b"]
    again = admin_providers.add_models(orch, actor=operator(), name="sim-local", models=["gpt-4o-mini"])
    assert again.added == [] and again.present == ["gpt-4o-mini"]
    with orch.db.read() as s:
        targets = s.scalars(select(AuditEntry.target_id).where(AuditEntry.action == "catalog.add")).all()
    assert {"openai_compatible:llama-sim-70b", "openai_compatible:gpt-4o-mini"} <= set(targets)
    with pytest.raises(InputRejected, match="Name at least one model"):
        admin_providers.add_models(orch, actor=operator(), name="sim-local", models=" , \n")
    check = providers.check_credentials(orch, "sim-local", model="llama-sim-70b", actor=operator())
    assert check.ok, check.message
