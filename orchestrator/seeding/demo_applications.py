"""Demo applications: saved jobs across the tracker's statuses, with the days of their steps,
follow-ups (some overdue) and notes, so the Applications board and the admin's cost per
application are not empty in a demo.

- *History users* (``demo_history``): a share of their extractions became saved jobs
  (``jobs.request_id`` is the extraction's request), and their drafting requests worked on
  their latest jobs (``usage_log.job_id`` on every attempt, as the pipeline writes it). The
  rest of the extractions stand for jobs the users deleted. Applications move on by plan at
  different rates, so cost per application differs by plan.
- *The demo accounts*: a handful of jobs each, "extracted" by the offline engine, with no
  ledger rows (their usage stays exactly what the demo visitor does).

Everything belongs to demo users (``users.is_demo``): ``purge_demo`` deletes the users and the
jobs and events go with them (``ON DELETE CASCADE``). Deterministic (own fixed seed).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from db.models import ApplicationEvent, Job, User
from orchestrator.seeding.seed import OFFLINE_MODEL

KEEP = 0.35  # share of the history's extractions still saved as jobs
POSTINGS = [
    ("Data Analyst", "Zalando", "Berlin, Germany", ["SQL", "Python", "Looker", "A/B testing"]),
    ("Senior Backend Engineer", "N26", "Berlin, Germany", ["Go", "PostgreSQL", "Kubernetes", "AWS"]),
    ("Product Designer", "Spotify", "Stockholm, Sweden", ["Figma", "User Research", "Prototyping"]),
    ("Analytics Engineer", "GetYourGuide", "Zurich, Switzerland", ["dbt", "BigQuery", "SQL", "Airflow"]),
    ("Python Developer", "Celonis", "Munich, Germany", ["Python", "FastAPI", "Docker", "PostgreSQL"]),
    ("Platform Engineer", "Adyen", "Amsterdam, Netherlands", ["Terraform", "Kubernetes", "Go", "GCP"]),
    ("UX Researcher", "Booking.com", "Amsterdam, Netherlands", ["User Research", "Surveys", "Accessibility"]),
    ("Machine Learning Engineer", "DeepL", "Cologne, Germany", ["PyTorch", "Python", "MLOps", "SQL"]),
    ("Business Intelligence Analyst", "Delivery Hero", "Berlin, Germany", ["Power BI", "SQL", "Excel"]),
    ("Site Reliability Engineer", "Personio", "Munich, Germany", ["Prometheus", "Kubernetes", "Python"]),
    ("Design Systems Lead", "Revolut", "London, UK", ["Figma", "Design Systems", "Leadership"]),
    ("Data Engineer", "Trade Republic", "Berlin, Germany", ["Spark", "Kafka", "Python", "AWS"]),
    ("Senior UX Designer", "Miro", "Amsterdam, Netherlands", ["Figma", "Prototyping", "Workshops"]),
    ("Head of Design", "Wise", "London, UK", ["Leadership", "Design Systems", "Stakeholder Management"]),
    ("Product Design Manager", "Klarna", "Stockholm, Sweden", ["Leadership", "User Research", "Figma"]),
    ("Interaction Designer", "Ecosia", "Berlin, Germany", ["Prototyping", "Accessibility", "Figma"]),
]
NOTES = ["Referred by a former colleague.", "Recruiter: Sam, prefers e-mail.", "Salary band 65-75k; hybrid 3 days.",
         "Take-home task due in a week.", "Second round with the team lead."]
# per plan: P(applied | saved), P(interview | applied), P(offer | interview)
FUNNEL = {"freemium": (0.45, 0.25, 0.3), "paygo": (0.6, 0.35, 0.35), "pro": (0.75, 0.45, 0.4)}
DEFAULT_FUNNEL = (0.5, 0.3, 0.3)
DRAFTS = ("draft_cv", "cover_letter")  # the history's drafting tasks (seed data names them)


def _posting(rng: random.Random) -> dict:
    title, company, location, skills = rng.choice(POSTINGS)
    return {"title": title, "company": company, "location": location, "skills": list(skills),
            "summary": f"{company} is hiring a {title}."}


def _path(rng: random.Random, plan: str, saved: date, today: date) -> list[tuple[str, date]]:
    """The steps one application took, each a few days after the one before, none after today."""
    applied, interview, offer = FUNNEL.get(plan, DEFAULT_FUNNEL)
    steps: list[tuple[str, date]] = []
    when = saved

    def step(status: str, lo: int, hi: int) -> bool:
        nonlocal when
        nxt = when + timedelta(days=rng.randint(lo, hi))
        if nxt > today:
            return False
        when = nxt
        steps.append((status, when))
        return True

    if rng.random() >= applied:
        if rng.random() < 0.1:
            step("withdrawn", 2, 10)
        return steps
    if not step("applied", 0, 4):
        return steps
    if rng.random() < interview:
        if step("interviewing", 4, 14):
            if rng.random() < offer:
                step("offer", 5, 15)
            elif rng.random() < 0.7:
                step("rejected", 3, 12)
            else:
                step("withdrawn", 3, 10)
    elif rng.random() < 0.55:
        step("rejected", 5, 25)
    return steps


def _job_row(rng, uid: int, plan: str, created: datetime, today: date, **extra) -> tuple[dict, list]:
    posting = _posting(rng)
    steps = _path(rng, plan, created.date(), today)
    status = steps[-1][0] if steps else "saved"
    follow_up = None
    if status in ("saved", "applied", "interviewing", "offer") and rng.random() < 0.6:
        follow_up = (steps[-1][1] if steps else created.date()) + timedelta(days=rng.choice((3, 5, 7, 10, 14)))
    changed = datetime.combine(steps[-1][1], time(18), tzinfo=UTC) if steps else None
    row = dict(user_id=uid, created_at=created, updated_at=changed or created, source="text", source_url=None,
               title=posting["title"], company=posting["company"], data=posting, status=status,
               status_changed_at=changed, follow_up_on=follow_up,
               notes=rng.choice(NOTES) if rng.random() < 0.25 else None, **extra)
    return row, steps


def _insert(s, jobs: list[dict], steps: list[list]) -> list[int]:
    """Insert the jobs (ids back in order) and their events; returns the ids."""
    if not jobs:
        return []
    table = Job.__table__  # Core's batched INSERT ... RETURNING (the ORM's bulk path goes row by row here)
    ids = list(s.connection().scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), jobs))
    events = [dict(job_id=jid, user_id=job["user_id"], status=status, happened_on=on, note=None,
                   created_at=datetime.combine(on, time(18), tzinfo=UTC))
              for jid, job, path in zip(ids, jobs, steps, strict=True) for status, on in path]
    for i in range(0, len(events), 5000):
        s.execute(insert(ApplicationEvent), events[i:i + 5000])
    return ids


def link_history(s, rows: list[dict], today: date) -> int:
    """Save a share of the history's extractions as jobs and point the drafting requests that
    follow at them (sets ``job_id`` on ``rows`` in place, before they are inserted)."""
    rng = random.Random(1111)
    requests: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        r.setdefault("job_id", None)
        requests[r["request_id"]].append(r)
    ordered = sorted(requests.values(), key=lambda rs: (rs[0]["timestamp"], rs[0]["request_id"]))
    jobs, paths, rids = [], [], []
    for rs in ordered:
        last = rs[-1]
        if last["task_type"] != "extract_job" or last["status"] not in ("success", "cached") or rng.random() >= KEEP:
            continue
        job, path = _job_row(rng, last["user_id"], last["plan"], last["timestamp"], today, request_id=last["request_id"],
                             provider=last["provider"], model=last["model"], cost_usd=last["cost_usd"])
        jobs.append(job)
        paths.append(path)
        rids.append(last["request_id"])
    ids = _insert(s, jobs, paths)
    by_user: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for jid, job in zip(ids, jobs, strict=True):
        by_user[job["user_id"]].append((job["created_at"], jid))
    for rs in ordered:
        first = rs[0]
        if first["task_type"] not in DRAFTS:
            continue
        earlier = [jid for created, jid in by_user.get(first["user_id"], ()) if created < first["timestamp"]]
        if not earlier:
            continue
        jid = rng.choice(earlier[-3:])  # one of the user's latest jobs
        for r in rs:
            r["job_id"] = jid
    return len(ids)


# the demo job seekers' postings (indices into POSTINGS, fitting their profiles) and the applications
# every board shows: (steps as (status, days ago), follow-up in days from today or None, notes)
ACCOUNT_POSTINGS = {"free@example.com": (0, 8, 3, 11, 7, 4, 9), "paygo@example.com": (1, 4, 5, 9, 11, 7, 3),
                    "pro@example.com": (2, 10, 6, 12, 13, 14, 15)}
SCRIPT = [
    ((), 2, "Apply before the posting closes."),
    ((("applied", 12),), -2, None),  # a follow-up already overdue
    ((("applied", 20), ("interviewing", 6)), 3, "Second round with the team lead."),
    ((("applied", 34), ("interviewing", 24), ("offer", 3)), 4, "Salary band 65-75k; hybrid 3 days."),
    ((("applied", 30), ("rejected", 9)), None, None),
    ((("applied", 26), ("withdrawn", 15)), None, "Found a better fit."),
    ((("applied", 4),), 6, None),
]


def seed_accounts(orch, *, today: date | None = None) -> int:
    """The same seven applications for each demo job seeker, once: only while none of them has a job."""
    today = today or datetime.now(UTC).date()
    with orch.db.write() as s:
        users = {u.email: u for u in s.scalars(select(User).where(User.email.in_(ACCOUNT_POSTINGS), User.is_demo))}
        if not users or s.scalar(select(func.count(Job.id)).where(Job.user_id.in_([u.id for u in users.values()]))):
            return 0
        jobs, paths = [], []
        for email, picks in ACCOUNT_POSTINGS.items():
            if email not in users:
                continue
            for pick, (steps, follow, notes) in zip(picks, SCRIPT, strict=True):
                title, company, location, skills = POSTINGS[pick]
                path = [(status, today - timedelta(days=ago)) for status, ago in steps]
                saved = (path[0][1] if path else today) - timedelta(days=2)
                created = datetime.combine(saved, time(10), tzinfo=UTC)
                changed = datetime.combine(path[-1][1], time(18), tzinfo=UTC) if path else None
                jobs.append(dict(
                    user_id=users[email].id, created_at=created, updated_at=changed or created, source="text",
                    source_url=None, title=title, company=company,
                    data={"title": title, "company": company, "location": location, "skills": list(skills)},
                    request_id=None, provider="offline", model=OFFLINE_MODEL, cost_usd=Decimal(0),
                    status=path[-1][0] if path else "saved", status_changed_at=changed,
                    follow_up_on=today + timedelta(days=follow) if follow is not None else None, notes=notes))
                paths.append(path)
        return len(_insert(s, jobs, paths))
