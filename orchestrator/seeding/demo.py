"""Demo data: the four demo accounts with profiles, the demo providers (``demo_providers``: one per
wire format, inactive until the stakeholder demo switch turns them on), and ~90 days of history that
makes the dashboards tell a story (``demo_history``: growth, weekly rhythm, an
outage day with fallbacks, a slow day, a cost spike, varied models, users at their
limits), and applications in the tracker (``demo_applications``: the demo job seekers'
boards, and the history's saved jobs behind the admin's cost per application).
Everything created here is flagged ``is_demo`` or belongs to a demo user, and
``purge_demo`` removes it (and rebuilds the analytics rollups). Deterministic (fixed
seed), idempotent.

History rows are written straight to the ledger (they never went through the
pipeline); quota counters are filled in for today and this month only, for the
history's users (never for the four demo accounts).

When ``seed --demo`` first creates the demo accounts it also turns ``keep_payloads`` on for
their plans, so the request inspector shows the prompt and answer of every request made in
the demo; a base install leaves it off (an admin turns it on per plan). Stored payloads
belong to their user and go with them when ``purge_demo`` deletes the demo users.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select, update

from db.models import CreditTransaction, Job, Plan, Provider, UsageRecord, User, UserProfile
from orchestrator import plan_history
from orchestrator.rollups import rebuild_rollups, refresh_rollups
from orchestrator.seeding import demo_applications, demo_history, demo_providers

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

def _accounts(orch) -> int:
    from orchestrator.passwords import hash_password

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


def _keep_payloads(orch) -> None:
    """The demo plans keep prompts and answers for the request inspector (once, when the demo
    accounts are created: an admin who turns it off later is not overruled by a re-seed)."""
    codes = sorted({plan for *_rest, plan in DEMO_ACCOUNTS})
    with orch.db.write() as s:
        s.execute(update(Plan).where(Plan.code.in_(codes)).values(keep_payloads=True))


def seed_demo(orch, *, users: int = 240, days: int = 90, today: date | None = None,
              now: datetime | None = None) -> dict[str, int]:
    """Demo accounts and profiles, and (once) the history, then the analytics rollups."""
    created = {"demo_accounts": _accounts(orch)}
    with orch.db.write() as s:  # the history's traffic is theirs (inactive until the demo switch)
        demo_providers.ensure(s, orch.vault)
    if created["demo_accounts"]:
        _keep_payloads(orch)
    with orch.db.read() as s:
        has_history = s.scalar(select(func.count()).select_from(UsageRecord).where(UsageRecord.is_demo)) > 0
    created["demo_ledger_rows"] = 0 if has_history else demo_history.generate(orch, users, days, today, now)
    plan_history.ensure_history(orch.db)  # each new account's plan since sign-up, for plan economics
    created["demo_applications"] = demo_applications.seed_accounts(
        orch, today=today or (now or datetime.now(UTC)).date())
    if created["demo_ledger_rows"]:
        start = (today or (now or datetime.now(UTC)).date()) - timedelta(days=days - 1)
        refresh_rollups(orch.db, now=now, since=start)
    return created


def purge_demo(orch) -> dict[str, int]:
    """Remove demo users (and with them their profiles, jobs and their application events, documents,
    credit) and demo ledger rows."""
    with orch.db.write() as s:
        demo_ids = select(User.id).where(User.is_demo)
        jobs = s.scalar(select(func.count(Job.id)).where(Job.user_id.in_(demo_ids)))
        ledger = s.execute(delete(UsageRecord).where(
            UsageRecord.is_demo | UsageRecord.user_id.in_(demo_ids))).rowcount
        users = s.execute(delete(User).where(User.is_demo)).rowcount
        providers = s.execute(delete(Provider).where(Provider.is_demo)).rowcount
    rebuild_rollups(orch.db)  # deleted ledger rows leave the rolled-up days stale
    return {"users": users, "jobs": jobs, "ledger_rows": ledger, "providers": providers}
