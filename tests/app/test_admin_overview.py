"""Overview page: last 24 hours, providers, unpriced warning, recent changes."""

from __future__ import annotations

from orchestrator.services.admin import catalog
from tests.app.admin_helpers import no_errors, page_as, plant_traffic
from tests.support import acting


def test_overview(app_env):
    plant_traffic(app_env)
    catalog.add_model(app_env, kind="openai_compatible", model="llama3.1:8b",
                      actor=acting(app_env, "admin@example.com"))
    at = page_as(app_env, "overview")
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Routing policy"] == "v1" and metrics["Providers ready"] == "1 / 4"
    assert any("openai_compatible:llama3.1:8b" in w.value for w in at.warning)
    assert list(at.dataframe[0].value["Provider"]) == ["gemini", "openai", "anthropic", "offline"]
    assert list(at.dataframe[1].value["Action"]) == ["catalog.add"]
