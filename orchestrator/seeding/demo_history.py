"""~90 days of synthetic usage history for the demo, written straight to the ledger.

The story it tells on a fresh install: a few hundred users across the plans joining over
time (growth), busy weekdays and quiet weekends, a day-time rhythm, varied models per
plan and task (the routing policy), a Gemini outage day with fallbacks to the next
provider, an Anthropic slow day (p95 latency above 5 s), a batch day when one Pro user
paygo users draft 180 documents each (a cost spike), cache hits on extraction, and users who run into
their plan's limits (quota-denied rows, and quota counters filled in for today and this
month so "near quota" alerts have something to show). Deterministic (fixed seed); no row
is dated after ``now``. Rows and users are flagged ``is_demo``. A share of the extractions are
saved jobs that move through the application tracker, and the drafting requests after them
worked on them (``demo_applications``). The traffic is the demo providers' (``demo_providers``:
``demo-gemini`` for the policy's gemini steps, and so on), which have keys, never the seeded
providers whose keys are read from unset variables.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import insert, select

from db.models import CatalogModel, Plan, PriceVersion, Provider, QuotaCounter, UsageRecord, User
from orchestrator import pricing
from orchestrator.providers.base import TokenUsage
from orchestrator.seeding import demo_applications
from orchestrator.seeding.demo_providers import demo_name
from orchestrator.seeding.seed import FIRST_PRICES, OFFLINE_MODEL, POLICY

# (typical latency ms, log-normal spread) per provider
LATENCY = {"gemini": (900, 0.45), "openai": (1300, 0.45), "anthropic": (1300, 0.35), "offline": (15, 0.3)}
TOKENS = {"extract_job": ((900, 2600), (350, 700)), "draft_cv": ((1800, 3500), (700, 1400)),
          "cover_letter": ((1600, 3000), (350, 650))}
PICO = Decimal("1e-12")
COST_BOUND = Decimal("0.15")  # a generous upper bound of one request's cost, for the monthly cap


class _Story:
    """The special days, relative to today."""

    def __init__(self, today: date, days: int):
        self.outage = today - timedelta(days=min(23, days - 1))      # gemini answers 503 all day
        self.slow = today - timedelta(days=min(9, days - 1))         # anthropic 3.5x slower
        self.batch = today - timedelta(days=min(5, days - 1))        # two paygo users draft 180 each


class _Limits:
    """Per-user usage as the quota would have counted it: requests per day, tokens and cost per month."""

    def __init__(self, plans: dict[str, Plan]):
        self.plans = plans
        self.day_requests: dict[tuple, int] = defaultdict(int)
        self.month_tokens: dict[tuple, int] = defaultdict(int)
        self.month_cost: dict[tuple, Decimal] = defaultdict(Decimal)

    def denial(self, uid: int, plan: str, day: date, task: str) -> tuple[int, str] | None:
        """Like the limiter: refused when the request's upper bound would pass a limit."""
        p, month = self.plans[plan], day.replace(day=1)
        (_, in_hi), (_, out_hi) = TOKENS[task]
        if p.requests_per_day is not None and self.day_requests[(uid, day)] >= p.requests_per_day:
            return 0, "requests_per_day"
        if p.tokens_per_month is not None and self.month_tokens[(uid, month)] + 2 * (in_hi + out_hi) > \
                p.tokens_per_month:
            return 1, "tokens_per_month"
        if p.cost_cap_usd_month is not None and self.month_cost[(uid, month)] + COST_BOUND > p.cost_cap_usd_month:
            return 1, "cost_per_month"
        return None

    def count(self, uid: int, day: date, rows: list[dict]) -> None:
        if rows[-1]["status"] != "success":
            return  # cache hits and failed requests release their request hold
        self.day_requests[(uid, day)] += 1
        for r in rows:
            if r["status"] == "success":
                self.month_tokens[(uid, day.replace(day=1))] += r["tokens_input"] + r["tokens_output"]
                self.month_cost[(uid, day.replace(day=1))] += r["cost_usd"] or Decimal(0)


def _catalog_cards(s) -> dict[tuple[str, str], pricing.PriceCard | None]:
    from orchestrator.price_book import cards_in_force
    from orchestrator.routing import price_card

    kinds = {p.name: p.kind for p in s.scalars(select(Provider)).all()}
    rows = {(m.kind, m.model): m for m in s.scalars(select(CatalogModel)).all()}
    # the first seeded version covers all history; without one, the catalog columns
    versions = cards_in_force(s.scalars(select(PriceVersion)).all(), FIRST_PRICES)
    out = {}
    for chain in POLICY.values():
        for prov, model in chain:
            key = (kinds.get(prov, prov), model)
            out[(prov, model)] = versions.get(key) or price_card(rows.get(key))
    return out


def _make_users(s, rng, plans, n_users: int, start: date, days: int) -> list[tuple]:
    users = []
    for i in range(n_users):
        plan = rng.choices(["freemium", "paygo", "pro"], weights=[60, 25, 15])[0]
        joined = start + timedelta(days=int(days * (1 - math.sqrt(rng.random()))))
        u = User(email=f"user{i:03d}@demo.example.com", name=f"Demo User {i:03d}", role="user",
                 plan=plans[plan], is_demo=True, created_at=datetime.combine(joined, time(9), tzinfo=UTC))
        s.add(u)
        users.append(u)
    s.flush()
    # activity weight: heavy-tailed, but capped so no one user dominates the dashboard
    return [(u.id, u.plan.code, u.created_at.date(), min(rng.paretovariate(1.3), 12.0)) for u in users]


def generate(orch, n_users: int, days: int, today: date | None = None, now: datetime | None = None) -> int:
    """Create demo users and their history; returns the number of ledger rows written."""
    rng = random.Random(42)
    now = now or datetime.now(UTC)
    today = today or now.date()
    start = today - timedelta(days=days - 1)
    with orch.db.write() as s:
        plans = {p.code: p for p in s.scalars(select(Plan)).all()}
        cards = _catalog_cards(s)
        kinds = {p.name: p.kind for p in s.scalars(select(Provider)).all()}
        pool = _make_users(s, rng, plans, n_users, start, days)
    markups = {c: (p.markup_pct if p.uses_credit else None) for c, p in plans.items()}
    story, limits, rows = _Story(today, days), _Limits(plans), []
    for d in range(days):
        day = start + timedelta(days=d)
        active = [p for p in pool if p[2] <= day]
        if not active:
            continue
        growth = 0.35 + 0.65 * (d / max(days - 1, 1))
        weekday = 1.0 if day.weekday() < 5 else 0.55
        n = int(len(pool) * 1.6 * growth * weekday * rng.uniform(0.85, 1.15))
        picks = rng.choices(active, weights=[p[3] for p in active], k=n)
        batch = []
        if day == story.batch:
            paygo = sorted((p for p in active if p[1] == "paygo"), key=lambda p: -p[3])
            batch = [p for p in paygo[:2] for _ in range(180)]
        for i, (uid, plan, _joined, _w) in enumerate(picks + batch):
            task = rng.choices(["extract_job", "draft_cv", "cover_letter"], weights=[50, 28, 22])[0]
            if i >= len(picks):
                task = rng.choice(["draft_cv", "cover_letter"])
            ts = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(
                seconds=int(rng.triangular(6 * 3600, 23 * 3600, 14 * 3600)))
            if ts > now:
                continue
            denied = limits.denial(uid, plan, day, task)
            req = _request_rows(rng, uid, plan, task, ts, story, day, cards, kinds, markups[plan], denied)
            limits.count(uid, day, req)
            rows.extend(req)
    with orch.db.write() as s:
        demo_applications.link_history(s, rows, today)  # some extractions became saved jobs
        for i in range(0, len(rows), 5000):
            s.execute(insert(UsageRecord), rows[i:i + 5000])
        _quota_counters(s, limits, today)
    return len(rows)


def _quota_counters(s, limits: _Limits, today: date) -> None:
    """Today's and this month's counters, as the pipeline would have left them."""
    month = today.replace(day=1)
    users = {uid for uid, d in limits.day_requests if d == today} | {uid for uid, m in limits.month_tokens
                                                                      if m == month}
    for uid in sorted(users):
        s.add(QuotaCounter(user_id=uid, period="day", period_start=today,
                           requests=limits.day_requests.get((uid, today), 0), tokens=0, cost_usd=Decimal(0)))
        s.add(QuotaCounter(user_id=uid, period="month", period_start=month, requests=0,
                           tokens=limits.month_tokens.get((uid, month), 0),
                           cost_usd=limits.month_cost.get((uid, month), Decimal(0))))


def _zero(**kw) -> dict:
    return dict(tokens_input=0, tokens_output=0, tokens_cached=0, tokens_reasoning=0, tokens_cache_write=0,
                cost_usd=Decimal(0), priced=True, charged_usd=Decimal(0), price_version_id=None, **kw)


def _request_rows(rng, uid, plan, task, ts, story, day, cards, kinds, markup, denied) -> list[dict]:
    chain = [step for step in POLICY[(plan, task)] if step[0] != "offline"] or [("offline", OFFLINE_MODEL)]
    rid = uuid.UUID(int=rng.getrandbits(128)).hex
    base = dict(request_id=rid, user_id=uid, plan=plan, task_type=task, is_demo=True, error_message=None)
    prov, model = chain[0]
    first = dict(base, timestamp=ts, provider=demo_name(prov, kinds.get(prov)),
                 provider_kind=kinds.get(prov, prov), model=model)
    if denied is not None:
        attempt, limit = denied
        return [dict(first, **_zero(attempt=attempt, status="quota_denied", error_type=limit, latency_ms=0))]
    if task == "extract_job" and rng.random() < 0.12:
        return [dict(first, **_zero(attempt=1, status="cached", error_type=None, latency_ms=rng.randint(3, 12)))]
    out = []
    for attempt, (prov, model) in enumerate(chain, start=1):
        mean, spread = LATENCY.get(prov, (1200, 0.5))
        if day == story.slow and prov == "anthropic":
            mean *= 3.5
        latency = int(rng.lognormvariate(math.log(mean * (1.6 if task != "extract_job" else 1)), spread))
        fail = (day == story.outage and prov == "gemini") or rng.random() < 0.015
        row = dict(base, timestamp=ts, attempt=attempt, provider=demo_name(prov, kinds.get(prov)),
                   provider_kind=kinds.get(prov, prov), model=model)
        if fail and attempt < len(chain):
            kind = "server_error" if day == story.outage else rng.choice(["rate_limited", "timeout", "server_error"])
            out.append(dict(row, **_zero(status="error", error_type=kind, latency_ms=min(latency, 30000))))
            ts += timedelta(milliseconds=latency)
            continue
        out.append(dict(row, **_success(rng, task, model, cards.get((prov, model)), markup), latency_ms=latency))
        break
    return out


def _success(rng, task, model, card, markup) -> dict:
    (in_lo, in_hi), (out_lo, out_hi) = TOKENS[task]
    tin, tout = rng.randint(in_lo, in_hi), rng.randint(out_lo, out_hi)
    cached = int(tin * rng.uniform(0.3, 0.7)) if rng.random() < 0.2 else 0
    reasoning = int(tout * rng.uniform(0.2, 0.5)) if "gpt-5" in model or "2.5" in model else 0
    usage = TokenUsage(input_tokens=tin, output_tokens=tout + reasoning, cached_tokens=cached,
                       reasoning_tokens=reasoning)
    cost = pricing.cost(card, usage)
    charged = Decimal(0) if markup is None or cost is None else (cost * (100 + markup) / 100).quantize(
        PICO, rounding=ROUND_HALF_UP)
    return dict(status="success", error_type=None, tokens_input=tin, tokens_output=usage.output_tokens,
                tokens_cached=cached, tokens_reasoning=reasoning, tokens_cache_write=0, cost_usd=cost,
                priced=cost is not None, charged_usd=charged,
                price_version_id=card.version_id if card is not None and cost is not None else None)
