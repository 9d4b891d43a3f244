"""Admin routes under ``/api/v1/admin``: providers (with the credential rules of the app)
and usage across users.

A personal token of an admin or super admin opens them; the role is read from the
database on every request (the ``admin`` dependency) and again by every admin service
called, so a token whose user was demoted a moment ago is refused now. Credentials
(a key, a key variable, the base URL of a keyed provider, testing credentials) are
super admin only, enforced by ``services/admin/providers.py`` exactly as for the pages
and the CLI; a plain admin gets 403 with the rule. Keys go in, never out: responses carry
``has_key`` and the four-character hint. Changes are audited under the token user's email.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import SecretStr

from orchestrator.http import admin_schemas as S
from orchestrator.http.api import caller, orch
from orchestrator.http.auth import Caller
from orchestrator.http.schemas import ErrorBody
from orchestrator.http.threads import run_blocking
from orchestrator.money import usd_str
from orchestrator.redact import scrub
from orchestrator.services.actor import require
from orchestrator.services.admin import admin_providers, providers
from orchestrator.services.admin.providers import ProviderInfo
from orchestrator.services.reports import analytics
from orchestrator.services.reports.analytics import AnalyticsFilter

_ERRORS = {code: {"model": ErrorBody} for code in (401, 403)}
router = APIRouter(prefix="/admin", tags=["admin"], responses=_ERRORS)


async def admin(c: Caller = Depends(caller)) -> Caller:
    """The caller, if their role in the database is admin or super admin now (else 403)."""
    await run_blocking(require, orch(), c.actor)
    return c


# ------------------------------------------------------------------ providers


def provider_out(p: ProviderInfo) -> S.ProviderOut:
    has_key = p.key_source == "vault" or (p.key_source.startswith("env:") and not p.key_source.endswith("(unset)"))
    last = None
    if p.last_test_at is not None:
        last = S.LastTest(at=p.last_test_at, ok=bool(p.last_test_ok), latency_ms=p.last_test_latency_ms,
                          error_class=p.last_test_error_class, message=p.last_test_message)
    return S.ProviderOut(name=p.name, kind=p.kind, base_url=p.base_url, has_key=has_key, key_hint=p.key_hint,
                         key_source=p.key_source, has_usable_key=p.has_usable_key, priority=p.priority,
                         active=p.is_active, timeout_s=p.timeout_s, circuit_state=p.circuit_state,
                         requests_24h=p.requests_24h, error_rate_24h=p.error_rate_24h, last_test=last)


def _key_value(o, c: Caller, secret: SecretStr) -> str:
    return admin_providers.checked_key(o, actor=c.actor, api_key=secret.get_secret_value())


@router.get("/providers", response_model=S.ProviderList, summary="List providers (keys never included)")
async def list_providers(c: Caller = Depends(admin)):
    found = await run_blocking(providers.list_providers, orch())
    return S.ProviderList(providers=[provider_out(p) for p in found])


@router.post("/providers", response_model=S.ProviderOut, status_code=201, summary="Add a provider",
             responses={400: {"model": ErrorBody}})
async def create_provider(body: S.ProviderCreate, c: Caller = Depends(admin)):
    def create():
        o = orch()
        key = _key_value(o, c, body.api_key) if body.api_key is not None else None
        return admin_providers.create_provider(o, actor=c.actor, name=body.name, kind=body.kind,
                                               base_url=body.base_url, api_key=key, api_key_env=body.api_key_env,
                                               priority=body.priority, timeout_s=body.timeout_s,
                                               is_active=body.active)

    return provider_out(await run_blocking(create))


@router.get("/providers/{name}", response_model=S.ProviderOut, summary="One provider",
            responses={404: {"model": ErrorBody}})
async def get_provider(name: str, c: Caller = Depends(admin)):
    return provider_out(await run_blocking(providers.get_provider, orch(), name))


@router.patch("/providers/{name}", response_model=S.ProviderOut, summary="Change a provider",
              responses={400: {"model": ErrorBody}, 404: {"model": ErrorBody}})
async def patch_provider(name: str, body: S.ProviderPatch, c: Caller = Depends(admin)):
    sent = body.model_fields_set

    def patch():
        o = orch()
        changes: dict = {}
        if "api_key" in sent:
            changes["api_key"] = _key_value(o, c, body.api_key) if body.api_key is not None else None
        if "base_url" in sent:
            changes["base_url"] = (body.base_url or "").strip() or None
        if "api_key_env" in sent:
            changes["api_key_env"] = (body.api_key_env or "").strip() or None
        return providers.update_provider(o, name, priority=body.priority, timeout_s=body.timeout_s,
                                         is_active=body.active, actor=c.actor, **changes)

    return provider_out(await run_blocking(patch))


@router.delete("/providers/{name}", status_code=204, summary="Delete a provider",
               responses={404: {"model": ErrorBody}, 409: {"model": ErrorBody,
                          "description": "The live routing policy uses it."}})
async def delete_provider(name: str, c: Caller = Depends(admin)):
    await run_blocking(admin_providers.delete_provider, orch(), actor=c.actor, name=name)
    return Response(status_code=204)


@router.post("/providers/{name}/test", response_model=S.CredentialTestOut,
             summary="Test a provider's credentials (super admin)", responses={404: {"model": ErrorBody}},
             description="One tiny real request with the provider's key; the outcome is stored as its last "
                         "test. Answers 200 whether the credentials work or not: read `ok`.")
async def test_provider(name: str, body: S.ProviderTestRequest | None = None, c: Caller = Depends(admin)):
    model = body.model if body is not None else None
    result = await run_blocking(admin_providers.test_credentials, orch(), actor=c.actor, name=name, model=model)
    return S.CredentialTestOut(ok=result.ok, message=scrub(result.message), latency_ms=result.latency_ms,
                               provider=result.provider, model=result.model, error_class=result.error_class)


# ------------------------------------------------------------------ usage


def usage_report(o, days: int, top: int) -> S.AdminUsage:
    today = datetime.now(UTC).date()
    filt = AnalyticsFilter(start=today - timedelta(days=days - 1), end=today)
    k = analytics.kpis(o, filt=filt).current
    per_provider: dict[str, dict] = {}
    for d in analytics.daily_by_provider(o, filt=filt):
        a = per_provider.setdefault(d.provider, {"requests": 0, "provider_calls": 0, "errors": 0,
                                                    "cost": Decimal(0)})
        a["requests"] += d.requests
        a["provider_calls"] += d.provider_calls
        a["errors"] += d.errors
        a["cost"] += d.cost_usd
    plans: dict[str, list] = {}
    tasks: dict[str, list] = {}
    for row in analytics.cost_by_plan_task(o, filt=filt):
        for acc, key in ((plans, row.plan), (tasks, row.task)):
            a = acc.setdefault(key, [0, 0, Decimal(0)])
            a[0], a[1], a[2] = a[0] + row.requests, a[1] + row.tokens, a[2] + row.cost_usd
    return S.AdminUsage(
        period=S.Period(start=filt.start, end=filt.end, days=filt.days),
        totals=S.Totals(requests=k.requests, attempts=k.attempts, provider_calls=k.provider_calls, errors=k.errors,
                        error_rate=k.error_rate, cache_hits=k.cache_hits, denied_requests=k.denied_requests,
                        tokens=k.tokens, unpriced=k.unpriced, cost_usd=usd_str(k.cost_usd), p50_ms=k.p50_ms,
                        p95_ms=k.p95_ms),
        by_provider=[S.ProviderUsage(provider=p, requests=a["requests"], provider_calls=a["provider_calls"],
                                     errors=a["errors"], cost_usd=usd_str(a["cost"]))
                     for p, a in sorted(per_provider.items(), key=lambda kv: (-kv[1]["cost"], kv[0]))],
        by_model=[S.ModelUsage(provider=m.provider, model=m.model, input_tokens=m.input_tokens,
                               cached_tokens=m.cached_tokens, output_tokens=m.output_tokens,
                               reasoning_tokens=m.reasoning_tokens, cost_usd=usd_str(m.cost_usd))
                  for m in analytics.tokens_by_model(o, filt=filt)],
        by_plan=[S.PlanUsage(plan=p, requests=r, tokens=t, cost_usd=usd_str(cost))
                 for p, (r, t, cost) in sorted(plans.items())],
        by_task=[S.TaskUsage(task=t, requests=r, tokens=n, cost_usd=usd_str(cost))
                 for t, (r, n, cost) in sorted(tasks.items())],
        top_users=[S.UserUsageOut(email=u.email, plan=u.plan, requests=u.requests, tokens=u.tokens,
                                  cost_usd=usd_str(u.cost_usd), charged_usd=usd_str(u.charged_usd))
                   for u in analytics.top_users(o, filt=filt, limit=top)],
    )



@router.get("/usage", response_model=S.AdminUsage, summary="Usage across users",
            description="Totals, and breakdowns by provider, model, plan and task, for the last `days` UTC days "
                        "(today included), from the same rollups as the analytics dashboard (cached up to 45 s).")
async def usage(days: int = Query(30, ge=1, le=366, description="How many UTC days, today included."),
                top: int = Query(10, ge=0, le=100, description="How many top users to list."),
                c: Caller = Depends(admin)):
    return await run_blocking(usage_report, orch(), days, top)
