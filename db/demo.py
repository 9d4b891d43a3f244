"""Demo data: the four demo accounts with profiles, and ~90 days of history that
makes the dashboards tell a story (growth, weekly rhythm, an outage day with
fallbacks, varied models). Everything created here is flagged ``is_demo`` and
``purge_demo`` removes it. Deterministic (fixed seed), idempotent.

History rows are written straight to the ledger (they never went through the
pipeline), so quota counters are not touched by them.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, insert, select

from db.models import CreditTransaction, Plan, Provider, UsageRecord, User, UserProfile
from db.seed import OFFLINE_MODEL, POLICY
from orchestrator import pricing
from orchestrator.providers.base import TokenUsage

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = [
    ("admin@example.com", "Ada Admin", "super_admin", "pro"),
    ("free@example.com", "Frida Free", "user", "freemium"),
    ("paygo@example.com", "Paolo Paygo", "user", "paygo"),
    ("pro@example.com", "Priya Pro", "user", "pro"),
]

PROFILES = {
    "free@example.com": {
        "name": "Frida Free", "headline": "Junior Data Analyst", "email": "free@example.com",
        "location": "Berlin, Germany", "links": ["https://linkedin.com/in/frida-free"],
        "summary": "Analyst who turns messy data into clear dashboards and decisions.",
        "experience": [
            {"role": "Data Analyst Intern", "company": "Stadtwerke Berlin", "start": "2024-03", "end": "2025-02",
             "bullets": ["Built Power BI dashboards for energy usage used by 40 managers",
                         "Automated weekly reports with Python and pandas, saving 6 hours a week",
                         "Wrote SQL queries over PostgreSQL to clean 2M meter readings"]},
            {"role": "Student Assistant", "company": "TU Berlin", "start": "2022-10", "end": "2024-02",
             "bullets": ["Taught Excel and statistics tutorials to 60 students"]},
        ],
        "education": [{"degree": "B.Sc. Economics", "institution": "TU Berlin", "start": "2020", "end": "2024"}],
        "skills": ["Python", "SQL", "PostgreSQL", "pandas", "Power BI", "Excel", "Statistics", "Communication"],
        "languages": ["German (native)", "English (C1)"],
    },
    "paygo@example.com": {
        "name": "Paolo Paygo", "headline": "Backend Engineer", "email": "paygo@example.com",
        "location": "Lisbon, Portugal", "links": ["https://github.com/paolo-paygo"],
        "summary": "Backend engineer with six years of building APIs and data pipelines in Python and Go.",
        "experience": [
            {"role": "Senior Backend Engineer", "company": "Farfetch", "start": "2021-05", "end": "Present",
             "bullets": ["Led the move of the order service to Kubernetes, cutting deploy time from 40 to 8 minutes",
                         "Designed REST and gRPC APIs in Go serving 3k requests per second",
                         "Introduced CI/CD with GitHub Actions and Terraform for 12 services"]},
            {"role": "Backend Engineer", "company": "Talkdesk", "start": "2018-09", "end": "2021-04",
             "bullets": ["Built Django services and Celery pipelines on AWS",
                         "Reduced PostgreSQL query latency by 70% through indexing and caching with Redis"]},
        ],
        "education": [{"degree": "M.Sc. Computer Science", "institution": "Universidade de Lisboa",
                       "start": "2016", "end": "2018"}],
        "skills": ["Python", "Go", "Django", "PostgreSQL", "Redis", "Kubernetes", "Docker", "AWS", "Terraform",
                   "CI/CD", "gRPC", "REST APIs"],
        "languages": ["Portuguese (native)", "English (fluent)", "Spanish (good)"],
    },
    "pro@example.com": {
        "name": "Priya Pro", "headline": "Product Design Lead", "email": "pro@example.com",
        "location": "London, UK", "links": ["https://priya.design"],
        "summary": "Design lead who ships accessible, well-researched products with cross-functional teams.",
        "experience": [
            {"role": "Lead Product Designer", "company": "Monzo", "start": "2020-01", "end": "Present",
             "bullets": ["Led a team of 5 designers across payments and savings",
                         "Ran user research with 200+ customers to redesign onboarding, lifting conversion 18%",
                         "Built the Figma design system used by 40 engineers"]},
            {"role": "Product Designer", "company": "Deliveroo", "start": "2016-06", "end": "2019-12",
             "bullets": ["Designed the rider app's route screens", "Introduced accessibility audits (WCAG 2.1)"]},
        ],
        "education": [{"degree": "BA Interaction Design", "institution": "Central Saint Martins",
                       "start": "2012", "end": "2015"}],
        "skills": ["Figma", "User Research", "Design Systems", "Prototyping", "Accessibility", "Leadership",
                   "Stakeholder Management"],
        "languages": ["English (native)", "Hindi (fluent)"],
    },
    "admin@example.com": {
        "name": "Ada Admin", "headline": "Platform Operations", "email": "admin@example.com",
        "summary": "Runs the AI Orchestrator platform.", "skills": ["Operations"],
    },
}

# (provider, typical latency ms, spread) for the history generator
LATENCY = {"gemini": (900, 0.45), "openai": (1300, 0.5), "anthropic": (1700, 0.4), "offline": (15, 0.3)}
TOKENS = {"extract_job": ((900, 2600), (350, 700)), "draft_cv": ((1800, 3500), (700, 1400)),
          "cover_letter": ((1600, 3000), (350, 650))}


def _accounts(orch) -> int:
    from orchestrator.services.users import hash_password

    created = 0
    with orch.db.write() as s:
        plans = {p.code: p for p in s.scalars(select(Plan)).all()}
        have = set(s.scalars(select(User.email)).all())
        pw = hash_password(DEMO_PASSWORD)
        for email, name, role, plan in DEMO_ACCOUNTS:
            if email in have:
                continue
            user = User(email=email, name=name, role=role, plan=plans[plan], password_hash=pw, is_demo=True)
            s.add(user)
            s.flush()
            s.add(UserProfile(user_id=user.id, data=PROFILES[email]))
            if plan == "paygo":
                user.credit_usd = Decimal("10.00")
                s.add(CreditTransaction(user_id=user.id, amount_usd=Decimal("10.00"), kind="topup",
                                        note="demo welcome credit", actor="seed"))
            created += 1
    return created


def seed_demo(orch, *, users: int = 240, days: int = 90, today: date | None = None) -> dict[str, int]:
    """Demo accounts, profiles, a few saved jobs and documents, and the history."""
    created = {"demo_accounts": _accounts(orch)}
    with orch.db.read() as s:
        has_history = s.scalar(select(func.count()).select_from(UsageRecord).where(UsageRecord.is_demo)) > 0
    created["demo_ledger_rows"] = 0 if has_history else _history(orch, users, days, today)
    return created


def _catalog_cards(s) -> dict[tuple[str, str], pricing.PriceCard | None]:
    from db.models import CatalogModel
    from orchestrator.routing import price_card

    kinds = {p.name: p.kind for p in s.scalars(select(Provider)).all()}
    rows = {(m.kind, m.model): m for m in s.scalars(select(CatalogModel)).all()}
    return {(prov, model): price_card(rows.get((kinds.get(prov, prov), model)))
            for chain in POLICY.values() for prov, model in chain}


def _history(orch, n_users: int, days: int, today: date | None) -> int:
    rng = random.Random(42)
    today = today or datetime.now(UTC).date()
    start = today - timedelta(days=days - 1)
    with orch.db.write() as s:
        plans = {p.code: p for p in s.scalars(select(Plan)).all()}
        cards = _catalog_cards(s)
        kinds = {p.name: p.kind for p in s.scalars(select(Provider)).all()}
        demo_users = []
        for i in range(n_users):
            plan = rng.choices(["freemium", "paygo", "pro"], weights=[60, 25, 15])[0]
            joined = start + timedelta(days=int(days * (1 - math.sqrt(rng.random()))))
            u = User(email=f"user{i:03d}@demo.example.com", name=f"Demo User {i:03d}", role="user",
                     plan=plans[plan], is_demo=True,
                     created_at=datetime.combine(joined, time(9), tzinfo=UTC))
            s.add(u)
            demo_users.append(u)
        s.flush()
        pool = [(u.id, u.plan.code, u.created_at.date(), rng.paretovariate(1.3)) for u in demo_users]
    outage_day = today - timedelta(days=min(23, days - 1))
    rows: list[dict] = []
    for d in range(days):
        day = start + timedelta(days=d)
        growth = 0.35 + 0.65 * (d / max(days - 1, 1))
        weekday = 1.0 if day.weekday() < 5 else 0.55
        active = [p for p in pool if p[2] <= day]
        n = int(len(pool) * 1.6 * growth * weekday * rng.uniform(0.85, 1.15))
        if not active:
            continue
        weights = [p[3] for p in active]
        for _ in range(n):
            uid, plan, _joined, _w = rng.choices(active, weights=weights)[0]
            task = rng.choices(["extract_job", "draft_cv", "cover_letter"], weights=[50, 28, 22])[0]
            ts = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(
                seconds=int(rng.triangular(6 * 3600, 23 * 3600, 14 * 3600)))
            rows.extend(_request_rows(rng, uid, plan, task, ts, day == outage_day, cards, kinds,
                                      plans[plan].markup_pct if plans[plan].uses_credit else None))
    with orch.db.write() as s:
        for i in range(0, len(rows), 5000):
            s.execute(insert(UsageRecord), rows[i:i + 5000])
    return len(rows)


def _request_rows(rng, uid, plan, task, ts, outage, cards, kinds, markup) -> list[dict]:
    chain = [step for step in POLICY[(plan, task)] if step[0] != "offline"] or [("offline", OFFLINE_MODEL)]
    rid = uuid.UUID(int=rng.getrandbits(128)).hex
    base = dict(request_id=rid, user_id=uid, plan=plan, task_type=task, is_demo=True, error_message=None)
    if plan == "freemium" and rng.random() < 0.02:
        prov, model = chain[0]
        return [dict(base, timestamp=ts, attempt=0, provider=prov, provider_kind=kinds.get(prov, prov), model=model,
                     status="quota_denied", error_type="requests_per_day", tokens_input=0, tokens_output=0,
                     tokens_cached=0, tokens_reasoning=0, tokens_cache_write=0, cost_usd=0, priced=True,
                     charged_usd=0, latency_ms=0)]
    if task == "extract_job" and rng.random() < 0.12:
        prov, model = chain[0]
        return [dict(base, timestamp=ts, attempt=1, provider=prov, provider_kind=kinds.get(prov, prov), model=model,
                     status="cached", error_type=None, tokens_input=0, tokens_output=0, tokens_cached=0,
                     tokens_reasoning=0, tokens_cache_write=0, cost_usd=0, priced=True, charged_usd=0,
                     latency_ms=rng.randint(3, 12))]
    out = []
    attempt = 0
    for idx, (prov, model) in enumerate(chain):
        attempt += 1
        mean, spread = LATENCY.get(prov, (1200, 0.5))
        latency = int(rng.lognormvariate(math.log(mean * (1.6 if task != "extract_job" else 1)), spread))
        fail = (outage and prov == "gemini") or rng.random() < 0.015
        if fail and idx < len(chain) - 1:
            kind = "server_error" if outage else rng.choice(["rate_limited", "timeout", "server_error"])
            out.append(dict(base, timestamp=ts, attempt=attempt, provider=prov, provider_kind=kinds.get(prov, prov),
                            model=model, status="error", error_type=kind, tokens_input=0, tokens_output=0,
                            tokens_cached=0, tokens_reasoning=0, tokens_cache_write=0, cost_usd=0, priced=True,
                            charged_usd=0, latency_ms=min(latency, 30000)))
            ts += timedelta(milliseconds=latency)
            continue
        (in_lo, in_hi), (out_lo, out_hi) = TOKENS[task]
        tin, tout = rng.randint(in_lo, in_hi), rng.randint(out_lo, out_hi)
        cached = int(tin * rng.uniform(0.3, 0.7)) if rng.random() < 0.2 else 0
        reasoning = int(tout * rng.uniform(0.2, 0.5)) if "gpt-5" in model or "2.5" in model else 0
        usage = TokenUsage(input_tokens=tin, output_tokens=tout + reasoning, cached_tokens=cached,
                           reasoning_tokens=reasoning)
        card = cards.get((prov, model))
        cost = pricing.cost(card, usage)
        charged = Decimal(0) if markup is None or cost is None else (cost * (100 + markup) / 100).quantize(
            Decimal("1e-12"))
        out.append(dict(base, timestamp=ts, attempt=attempt, provider=prov, provider_kind=kinds.get(prov, prov),
                        model=model, status="success", error_type=None, tokens_input=tin,
                        tokens_output=usage.output_tokens, tokens_cached=cached, tokens_reasoning=reasoning,
                        tokens_cache_write=0, cost_usd=cost, priced=cost is not None, charged_usd=charged,
                        latency_ms=latency))
        break
    return out


def purge_demo(orch) -> dict[str, int]:
    """Remove demo users (and with them their profiles, jobs, documents, credit) and demo ledger rows."""
    with orch.db.write() as s:
        demo_ids = select(User.id).where(User.is_demo)
        ledger = s.execute(delete(UsageRecord).where(
            UsageRecord.is_demo | UsageRecord.user_id.in_(demo_ids))).rowcount
        users = s.execute(delete(User).where(User.is_demo)).rowcount
        providers = s.execute(delete(Provider).where(Provider.is_demo)).rowcount
    return {"users": users, "ledger_rows": ledger, "providers": providers}
