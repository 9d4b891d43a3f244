"""Helpers for the admin console's AppTests: run one admin page as a given user,
and read everything a page rendered as text (to look for what must never be
there, such as a planted API key)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.support import operator

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PAGES = {name: str(ROOT / f"pages/admin/{name}.py")
               for name in ("overview", "providers", "models", "routing", "plans", "users", "usage_log",
                            "audit_log", "analytics", "alerts", "request")}


def page_as(orch, page: str, email: str = "admin@example.com") -> AppTest:
    """The page script run directly with ``email`` signed in (as the app's gate would leave it)."""
    from orchestrator.services.admin.users import get_user

    at = AppTest.from_file(ADMIN_PAGES[page], default_timeout=30)
    at.session_state["user"] = get_user(orch, email=email)
    at.run()
    return at


def add_plain_admin(orch, email: str = "ops@example.com"):
    from orchestrator.services.admin.users import add_user

    return add_user(orch, email=email, plan="pro", role="admin", password="demo", actor=operator())


def rendered_text(at: AppTest) -> str:
    """Every element's protobuf text and every table's cells, concatenated."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        if getattr(node, "type", None) == "dataframe":
            parts.append(node.value.to_string())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def state_text(at: AppTest) -> str:
    """Session state (user keys and keyed widget values) as text."""
    return "\n".join(f"{k}={v!r}" for k, v in at.session_state.items())


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def plant_traffic(orch, now=None) -> dict[str, list[str]]:
    """Ledger rows for dry-run and usage-log tests, written straight to the ledger:

    - freemium/extract_job: 3 requests served by gemini-2.5-flash-lite, plus one that failed on
      openai:gpt-5-nano (503) and fell back to gemini-2.5-flash-lite;
    - paygo/draft_cv: 2 requests on claude-sonnet-4-5, one of them after an unpriced local attempt;
    - outside the 30-day window, a cache hit and a quota denial: none of them count.
    Returns request ids by label.
    """
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from db.models import CatalogModel, User
    from orchestrator import ledger, pricing
    from orchestrator.providers.base import TokenUsage
    from orchestrator.routing import price_card

    now = now or datetime.now(UTC)
    with orch.db.read() as s:
        cards = {(m.kind, m.model): price_card(m) for m in s.scalars(select(CatalogModel)).all()}
        free = s.scalar(select(User.id).where(User.email == "free@example.com"))
        paygo = s.scalar(select(User.id).where(User.email == "paygo@example.com"))
    ids: dict[str, list[str]] = {}
    n = 0

    def row(label, user, plan, task, provider, kind, model, status, usage, *, attempt=1, days=1, rid=None,
            priced=True, error=None):
        nonlocal n
        n += 1
        rid = rid or f"req{n:04d}{label[:20]}"
        if rid not in ids.setdefault(label, []):
            ids[label].append(rid)
        cost = pricing.cost(cards.get((kind, model)), usage) if priced and status in ("success", "error") else None
        rec = ledger.attempt_record(
            request_id=rid, attempt=attempt, user_id=user, plan=plan, task=task, provider=provider,
            provider_kind=kind, model=model, status=status, usage=usage,
            cost=cost if priced else None, priced=priced, latency_ms=800 + n,
            error_type=error, error_message="HTTP 503 from provider" if error else None,
            timestamp=now - timedelta(days=days, minutes=n))
        ledger.write(orch.db, rec)
        return rid

    for i in range(3):
        row("flash", free, "freemium", "extract_job", "gemini", "gemini", "gemini-2.5-flash-lite", "success",
            TokenUsage(input_tokens=1000 + i, output_tokens=200, cached_tokens=100), days=i + 1)
    rid = row("fallback", free, "freemium", "extract_job", "openai", "openai", "gpt-5-nano", "error",
              TokenUsage(input_tokens=900, output_tokens=0), error="server_error", days=2)
    row("fallback", free, "freemium", "extract_job", "gemini", "gemini", "gemini-2.5-flash-lite", "success",
        TokenUsage(input_tokens=900, output_tokens=180), attempt=2, rid=rid, days=2)
    row("sonnet", paygo, "paygo", "draft_cv", "anthropic", "anthropic", "claude-sonnet-4-5", "success",
        TokenUsage(input_tokens=2500, output_tokens=1200, cached_tokens=500), days=3)
    rid = row("sonnet", paygo, "paygo", "draft_cv", "local", "openai_compatible", "llama3.1:8b", "error",
              TokenUsage(input_tokens=2400, output_tokens=0), priced=False, error="timeout", days=4)
    row("sonnet", paygo, "paygo", "draft_cv", "anthropic", "anthropic", "claude-sonnet-4-5", "success",
        TokenUsage(input_tokens=2400, output_tokens=1100), attempt=2, rid=rid, days=4)
    row("old", free, "freemium", "extract_job", "gemini", "gemini", "gemini-2.5-flash-lite", "success",
        TokenUsage(input_tokens=50_000, output_tokens=9_000), days=45)
    row("cached", free, "freemium", "extract_job", "cache", "gemini", "gemini-2.5-flash-lite", "cached",
        TokenUsage(), days=1)
    row("denied", free, "freemium", "draft_cv", "-", "-", "-", "quota_denied", TokenUsage(), days=1)
    return ids
