"""Request and response bodies of the admin REST routes (``routes_admin.py``).

A provider's key goes in (``api_key``, super admin only) and never comes out: responses
say whether a key is set (``has_key``), where it is read from (``key_source``) and its
four-character ``key_hint``. Keys in requests are ``SecretStr``, so a stray ``repr`` or
log line shows ``**********``. Money is an exact decimal string, never a float.
Requests forbid unknown fields: a typo (``is_active`` for ``active``) is a 422 naming it
rather than a change silently ignored.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from orchestrator.providers.registry import PROVIDER_KINDS

KEY_NOTE = "Super admin only. Stored encrypted; never returned (see `key_hint`)."


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ providers


class ProviderCreate(_Request):
    name: str = Field(min_length=1, max_length=64, description="How routing rules name it (no ':' or ',').",
                      examples=["openai-eu"])
    kind: str = Field(max_length=32, description=f"The wire format, one of: {', '.join(PROVIDER_KINDS)}.")
    base_url: str | None = Field(default=None, max_length=512, description="Required for openai_compatible; "
                                 "the vendor's own URL otherwise.", examples=["http://localhost:11434/v1"])
    api_key: SecretStr | None = Field(default=None, max_length=4096, description=KEY_NOTE)
    api_key_env: str | None = Field(default=None, max_length=64, description="Read the key from this "
                                    "environment variable of the server instead. Super admin only.")
    priority: int = Field(default=100, ge=0, le=1_000_000, description="Lower sorts first in lists.")
    timeout_s: float = Field(default=60.0, ge=1, le=600, description="Seconds per attempt.")
    active: bool = Field(default=True, description="Inactive providers are skipped by routing.")


class ProviderPatch(_Request):
    """Any subset; a field left out is unchanged. ``api_key: null`` removes the stored key,
    ``base_url: null`` the base URL."""

    base_url: str | None = Field(default=None, max_length=512,
                                 description="Changing it on a provider that has a key is super admin only "
                                             "(it would send the key elsewhere).")
    api_key: SecretStr | None = Field(default=None, max_length=4096, description=KEY_NOTE + " null removes it.")
    api_key_env: str | None = Field(default=None, max_length=64, description="Super admin only.")
    priority: int | None = Field(default=None, ge=0, le=1_000_000)
    timeout_s: float | None = Field(default=None, ge=1, le=600)
    active: bool | None = None


class ProviderTestRequest(_Request):
    model: str | None = Field(default=None, max_length=200, description="The model to try; default: the first "
                              "one the live routing policy uses with this provider, else its cheapest.",
                              examples=["gpt-4o-mini"])


class LastTest(BaseModel):
    at: datetime
    ok: bool
    latency_ms: int | None
    error_class: str | None
    message: str | None


class ProviderOut(BaseModel):
    name: str
    kind: str
    base_url: str | None
    has_key: bool = Field(description="A key is stored (encrypted) or named by an environment variable.")
    key_hint: str | None = Field(description="The stored key's last four characters, e.g. `…2345`.")
    key_source: str = Field(description="vault, env:VAR, env:VAR (unset) or none.")
    has_usable_key: bool = Field(description="Routing can use it now (a key is available, or none is needed).")
    priority: int
    active: bool
    timeout_s: float
    circuit_state: str = Field(description="closed, open or half_open (the breaker).")
    requests_24h: int
    error_rate_24h: float | None
    last_test: LastTest | None = Field(description="The last credential test; null if never tested.")


class ProviderList(BaseModel):
    providers: list[ProviderOut]


class CredentialTestOut(BaseModel):
    ok: bool
    message: str = Field(description="What happened, in words (never the key).")
    latency_ms: int
    provider: str
    model: str
    error_class: str | None = Field(description="invalid_key, no_model_access, unreachable, rate_limited, "
                                    "timeout...; null when ok.")


class Deleted(BaseModel):
    deleted: str


# ------------------------------------------------------------------ usage


class Totals(BaseModel):
    requests: int = Field(description="Requests (first ledger row of each).")
    attempts: int
    provider_calls: int
    errors: int
    error_rate: float | None
    cache_hits: int
    denied_requests: int = Field(description="Refused by a quota or credit limit.")
    tokens: int = Field(description="Input + output tokens.")
    unpriced: int = Field(description="Attempts on unpriced models (not counted as $0 in cost).")
    cost_usd: str = Field(description="AI cost of every attempt, failed ones included; exact decimal dollars.",
                          examples=["12.0034425"])
    p50_ms: float | None
    p95_ms: float | None


class ProviderUsage(BaseModel):
    provider: str
    requests: int
    provider_calls: int
    errors: int
    cost_usd: str


class ModelUsage(BaseModel):
    provider: str
    model: str
    input_tokens: int = Field(description="Cached tokens included.")
    cached_tokens: int
    output_tokens: int = Field(description="Reasoning tokens included.")
    reasoning_tokens: int
    cost_usd: str


class GroupUsage(BaseModel):
    requests: int
    tokens: int
    cost_usd: str


class PlanUsage(GroupUsage):
    plan: str


class TaskUsage(GroupUsage):
    task: str


class UserUsageOut(BaseModel):
    email: str = Field(description="'(deleted)' for a removed account.")
    plan: str
    requests: int
    tokens: int
    cost_usd: str
    charged_usd: str


class Period(BaseModel):
    start: date
    end: date
    days: int


class AdminUsage(BaseModel):
    period: Period = Field(description="UTC days, today included.")
    totals: Totals
    by_provider: list[ProviderUsage]
    by_model: list[ModelUsage]
    by_plan: list[PlanUsage]
    by_task: list[TaskUsage]
    top_users: list[UserUsageOut] = Field(description="The users with the highest AI cost, highest first.")
