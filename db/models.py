"""The schema: SQLAlchemy 2.0 typed models. Every change here needs an Alembic migration
(``tests/integration/test_migrations.py`` fails on drift).

Money columns use ``Money`` (exact picodollars), times use ``UTCDateTime``.
Rows that ``seed --demo`` creates carry ``is_demo`` so ``demo purge`` can
remove them without touching real data.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, BigIntPK, Money, UTCDateTime, utcnow

ROLES = ("user", "admin", "super_admin")
LEDGER_STATUSES = ("success", "error", "cached", "quota_denied")


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    monthly_fee_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    requests_per_day: Mapped[int | None] = mapped_column(Integer)
    tokens_per_month: Mapped[int | None] = mapped_column(BigInteger)
    cost_cap_usd_month: Mapped[Decimal | None] = mapped_column(Money)
    uses_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    markup_pct: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # keep each request's prompt and answer (personal data redacted) for the request inspector
    keep_payloads: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # replace the user's name, contacts, address and links by placeholders before any external provider
    redact_personal_data: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="user")
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    credit_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    credit_held_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    requests_per_day_override: Mapped[int | None] = mapped_column(Integer)
    tokens_per_month_override: Mapped[int | None] = mapped_column(BigInteger)
    cost_cap_usd_month_override: Mapped[Decimal | None] = mapped_column(Money)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[Plan] = relationship(lazy="joined")


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # a registered provider kind (validated by the services)
    base_url: Mapped[str | None] = mapped_column(String(512))
    api_key_ciphertext: Mapped[str | None] = mapped_column(Text)
    key_hint: Mapped[str | None] = mapped_column(String(16))
    api_key_env: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    timeout_s: Mapped[float] = mapped_column(Float, default=60.0)
    last_test_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_test_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_test_latency_ms: Mapped[int | None] = mapped_column(Integer)
    last_test_error_class: Mapped[str | None] = mapped_column(String(32))
    last_test_message: Mapped[str | None] = mapped_column(String(500))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CatalogModel(Base):
    """One model of one provider kind, with its price per million tokens.

    ``price_source`` is ``genai-prices``, ``admin`` (an override) or
    ``builtin`` (the offline engine, free); NULL input/output prices mean
    unpriced, which the ledger records as unpriced, never as $0.
    ``price_tiers`` holds genai-prices' threshold ("cliff") tiers per price:
    ``{"input": [{"start": 200000, "price": "2.5"}], "output": [...]}``.
    """

    __tablename__ = "model_catalog"
    __table_args__ = (UniqueConstraint("kind", "model"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    tier: Mapped[str] = mapped_column(String(16), default="quality")
    input_usd_per_mtok: Mapped[Decimal | None] = mapped_column(Money)
    output_usd_per_mtok: Mapped[Decimal | None] = mapped_column(Money)
    cached_input_usd_per_mtok: Mapped[Decimal | None] = mapped_column(Money)
    cache_write_usd_per_mtok: Mapped[Decimal | None] = mapped_column(Money)
    price_tiers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    price_source: Mapped[str | None] = mapped_column(String(16))
    genai_prices_ref: Mapped[str | None] = mapped_column(String(128))
    context_window: Mapped[int | None] = mapped_column(Integer)
    supports_vision: Mapped[bool] = mapped_column(Boolean, default=False)
    supports_json_schema: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RoutingPolicy(Base):
    """One saved version of the whole plan x task matrix; the highest version is live."""

    __tablename__ = "routing_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="system")
    note: Mapped[str] = mapped_column(Text, default="")

    rules: Mapped[list[RoutingRule]] = relationship(
        back_populates="policy", cascade="all, delete-orphan", order_by="RoutingRule.position"
    )


class RoutingRule(Base):
    __tablename__ = "routing_rules"
    __table_args__ = (Index("ix_routing_rules_lookup", "policy_id", "plan_code", "task", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("routing_policies.id", ondelete="CASCADE"))
    plan_code: Mapped[str] = mapped_column(String(32))
    task: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)
    provider_name: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    temperature: Mapped[float | None] = mapped_column(Float)
    max_tokens: Mapped[int | None] = mapped_column(Integer)

    policy: Mapped[RoutingPolicy] = relationship(back_populates="rules")


class UsageRecord(Base):
    """The usage ledger: one row per attempt, committed before the call returns.

    ``cost_usd`` is NULL exactly when the model is unpriced (``priced`` false).
    ``charged_usd`` is what the user was charged (paygo: cost x markup).
    """

    __tablename__ = "usage_log"
    __table_args__ = (
        Index("ix_usage_log_user_time", "user_id", "timestamp"),
        Index("ix_usage_log_provider_time", "provider", "timestamp"),
        Index("ix_usage_log_quota_denied", "plan", "error_type",  # /metrics: denials by plan and reason
              sqlite_where=text("status = 'quota_denied'"), postgresql_where=text("status = 'quota_denied'")),
        Index("ix_usage_log_job", "job_id",  # an application's AI cost
              sqlite_where=text("job_id IS NOT NULL"), postgresql_where=text("job_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    request_id: Mapped[str] = mapped_column(String(32), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    plan: Mapped[str] = mapped_column(String(32))
    task_type: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(64))
    provider_kind: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    error_type: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(String(500))
    tokens_input: Mapped[int] = mapped_column(Integer, default=0)
    tokens_output: Mapped[int] = mapped_column(Integer, default=0)
    tokens_cached: Mapped[int] = mapped_column(Integer, default=0)
    tokens_reasoning: Mapped[int] = mapped_column(Integer, default=0)
    tokens_cache_write: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[Decimal | None] = mapped_column(Money)
    priced: Mapped[bool] = mapped_column(Boolean, default=True)
    charged_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # where the request came from: app | cli | api | python; api rows name the personal token used
    origin: Mapped[str] = mapped_column(String(8), default="python", server_default="python")
    token_id: Mapped[int | None] = mapped_column(Integer)
    # how the answer ended as the adapter reported it (stop, length, content_filter...); NULL without one
    finish_reason: Mapped[str | None] = mapped_column(String(24))
    # the price book version this row was priced with; why it is unpriced when it is
    price_version_id: Mapped[int | None] = mapped_column(Integer)
    unpriced_reason: Mapped[str | None] = mapped_column(String(200))
    # token counts finer than the columns (genai-prices keys: cache_write_1h_tokens, input_audio_tokens...)
    usage_detail: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True))  # None: SQL NULL
    # set by an audited re-pricing run (db/models_prices.py): the run, and the cost the row had before it
    repriced_run_id: Mapped[int | None] = mapped_column(Integer)
    cost_before_repricing_usd: Mapped[Decimal | None] = mapped_column(Money)
    # the saved job a drafting request worked from (extraction rows are found by jobs.request_id)
    job_id: Mapped[int | None] = mapped_column(Integer)


class QuotaCounter(Base):
    """Per-user usage in one UTC period (day or month), held plus settled.

    Reservations increment these with a conditional UPDATE, so concurrent
    requests from any number of processes can never pass a limit.
    """

    __tablename__ = "quota_counters"
    __table_args__ = (UniqueConstraint("user_id", "period", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(8))  # "day" | "month"
    period_start: Mapped[date] = mapped_column(Date)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))


class Reservation(Base):
    """A hold against a user's limits and credit for one attempt of one request."""

    __tablename__ = "reservations"
    __table_args__ = (
        UniqueConstraint("request_id", "attempt"),
        Index("ix_reservations_status_expiry", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    month: Mapped[date] = mapped_column(Date)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    credit_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    status: Mapped[str] = mapped_column(String(16), default="held")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_tokens: Mapped[int | None] = mapped_column(BigInteger)
    actual_cost_usd: Mapped[Decimal | None] = mapped_column(Money)
    actual_charge_usd: Mapped[Decimal | None] = mapped_column(Money)


class CreditTransaction(Base):
    """The credit ledger: top-ups (+) and charges (-); the balance is their sum."""

    __tablename__ = "credit_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    amount_usd: Mapped[Decimal] = mapped_column(Money)
    kind: Mapped[str] = mapped_column(String(16))  # topup | charge | adjustment
    request_id: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(500), default="")
    actor: Mapped[str] = mapped_column(String(254), default="system")
    # a credit purchase: the invoice that paid for this top-up (db/models_billing.py)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))


class UserProfile(Base):
    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """Every admin change: who, when, what, before and after. Never secrets."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(128))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CacheEntry(Base):
    __tablename__ = "cache_entries"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    task: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    output: Mapped[str] = mapped_column(Text)
    usage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    provider: Mapped[str] = mapped_column(String(64), default="")


class AuthSession(Base):
    """A signed-in browser session; the cookie carries a signed token naming it."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A personal API token. Only the SHA-256 of the token is kept; ``hint`` is its
    recognisable start (prefix and four characters), enough to tell tokens apart."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInThrottle(Base):
    """Failed sign-ins per account (``account:<email>``) and per client (``client:<address>``)
    in the current window, and until when further attempts are refused. Kept in the
    database so every app process enforces the same limits."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ScheduledJob(Base):
    """A periodic job the app processes run themselves (pruning): whoever moves
    ``next_run_at`` forward with a conditional UPDATE runs it, so one process does at a time."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[Any] = mapped_column(JSON, nullable=True)


class ProviderHealth(Base):
    """Circuit-breaker state, shared by every process through the database."""

    __tablename__ = "provider_health"

    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="closed")  # closed | open | half_open
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    probe_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_type: Mapped[str | None] = mapped_column(String(32))


class AppSetting(Base):
    """Admin-editable settings (alert thresholds, cache TTLs, URL fetch policy)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# Saved jobs, document versions and application events (db/models_jobs.py); analytics rollups
# (db/models_analytics.py); alert channels, state and deliveries (db/models_alerts.py);
# stored request payloads (db/models_payloads.py); the price book (db/models_prices.py).
from db.models_analytics import RollupState, UsageDaily, UsageLatencyDaily, UsageUserDaily  # noqa: E402,F401
from db.models_alerts import AlertChannel, AlertDelivery, AlertState  # noqa: E402,F401
from db.models_payloads import RequestPayload  # noqa: E402,F401
from db.models_prices import PriceVersion, RepricingBatch, RepricingRun  # noqa: E402,F401
from db.models_jobs import ApplicationEvent, Document, Job  # noqa: E402,F401
from db.models_billing import Invoice, PlanChange  # noqa: E402,F401
