"""The application tracker and its analytics, on both databases.

- status changes with their days and notes make a history; the same status again is a no-op;
- a follow-up day past on an open application is overdue;
- an application's AI cost sums every attempt (failed ones included) of its extraction and of
  every request made for it; the user's charge sums what was charged;
- sizes and dates are checked; another user's job is NotFound;
- the board is one query however many jobs there are;
- admin analytics: AI cost per application and per interview, by plan, for a period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, insert, select, update

from db.models import ApplicationEvent, Job, UsageRecord, User
from orchestrator import ledger
from orchestrator.errors import InputRejected, InputTooLarge, NotFound
from orchestrator.services.reports import applications as report
from orchestrator.services.reports.analytics_queries import AnalyticsFilter, clear_cache
from orchestrator.services.user import applications as apps
from orchestrator.services.user import documents
from tests.sim_support import set_chain
from tests.support import POSTING

ME, OTHER, PAYGO = "free@example.com", "pro@example.com", "paygo@example.com"


def _job(orch, user=ME) -> int:
    return orch.run("extract_job", user=user, text=POSTING).job_id


def _today() -> date:
    return datetime.now(UTC).date()


# ------------------------------------------------------------------ status and history


def test_status_flow_keeps_each_step_with_its_day_and_note(demo_users):
    orch = demo_users
    job_id = _job(orch)
    first = apps.get_application(orch, user=ME, job_id=job_id)
    assert (first.status, first.steps, first.events, first.notes) == ("saved", (), 0, "")
    assert first.status_changed_at is None

    applied_on = _today() - timedelta(days=6)
    a = apps.change_status(orch, user=ME, job_id=job_id, status="applied", on=applied_on, note="  Sent CV v2  ")
    assert a.status == "applied" and a.status_label == "Applied" and a.reached("applied") == applied_on
    assert a.status_changed_at is not None
    a = apps.change_status(orch, user=ME, job_id=job_id, status="interviewing")  # today by default
    assert a.reached("interviewing") == _today()
    # the same status again is a no-op: no event, nothing moves
    same = apps.change_status(orch, user=ME, job_id=job_id, status="interviewing", on=applied_on, note="again")
    assert same == a
    a = apps.change_status(orch, user=ME, job_id=job_id, status="offer", on=str(_today()))
    assert a.steps == (("applied", applied_on), ("interviewing", _today()), ("offer", _today()))
    assert a.events == 3

    hist = apps.history(orch, user=ME, job_id=job_id)
    assert [(e.status, e.happened_on, e.note) for e in hist] == [
        ("applied", applied_on, "Sent CV v2"), ("interviewing", _today(), None), ("offer", _today(), None)]
    assert [e.status_label for e in hist] == ["Applied", "Interviewing", "Offer"]

    board = apps.board(orch, user=ME)
    assert [x.job_id for x in board.in_status("offer")] == [job_id] and board.in_status("saved") == []


def test_going_back_keeps_the_first_day_of_each_step(demo_users):
    orch = demo_users
    job_id = _job(orch)
    d1, d2 = _today() - timedelta(days=9), _today() - timedelta(days=2)
    apps.change_status(orch, user=ME, job_id=job_id, status="applied", on=d1)
    apps.change_status(orch, user=ME, job_id=job_id, status="rejected", on=d2)
    a = apps.change_status(orch, user=ME, job_id=job_id, status="applied")
    assert a.status == "applied" and a.reached("applied") == d1 and a.reached("rejected") == d2 and a.events == 3


def test_dates_statuses_and_sizes_are_checked(demo_users):
    orch = demo_users
    job_id = _job(orch)
    with pytest.raises(InputRejected, match="in the future"):
        apps.change_status(orch, user=ME, job_id=job_id, status="applied", on=_today() + timedelta(days=2))
    with pytest.raises(InputRejected, match="too far back"):
        apps.change_status(orch, user=ME, job_id=job_id, status="applied", on=date(1999, 12, 31))
    with pytest.raises(InputRejected, match="must be a date"):
        apps.change_status(orch, user=ME, job_id=job_id, status="applied", on="yesterday")
    with pytest.raises(InputRejected, match="status must be one of"):
        apps.change_status(orch, user=ME, job_id=job_id, status="hired")
    with pytest.raises(InputTooLarge, match="The note is 501 characters long; the limit is 500"):
        apps.change_status(orch, user=ME, job_id=job_id, status="applied", note="x" * 501)
    limit = orch.settings.max_field_chars
    with pytest.raises(InputTooLarge, match=f"The notes field is {limit + 1:,} characters long"):
        apps.set_notes(orch, user=ME, job_id=job_id, notes="n" * (limit + 1))
    with pytest.raises(InputRejected, match="more than two years ahead"):
        apps.set_follow_up(orch, user=ME, job_id=job_id, on=_today() + timedelta(days=800))
    # nothing was written by the refusals
    a = apps.get_application(orch, user=ME, job_id=job_id)
    assert (a.status, a.events, a.notes, a.follow_up_on) == ("saved", 0, "", None)
    # within the limits
    a = apps.change_status(orch, user=ME, job_id=job_id, status="APPLIED ", note="y" * 500)
    assert a.status == "applied"
    a = apps.set_notes(orch, user=ME, job_id=job_id, notes="Recruiter: Kim\x00 (call Tuesdays)\n" + "n" * 100)
    assert a.notes.startswith("Recruiter: Kim (call Tuesdays)")
    assert apps.set_notes(orch, user=ME, job_id=job_id, notes="   ").notes == ""


def test_follow_ups_are_overdue_only_when_past_on_an_open_application(demo_users):
    orch = demo_users
    job_id = _job(orch)
    today = _today()
    a = apps.set_follow_up(orch, user=ME, job_id=job_id, on=today + timedelta(days=3))
    assert a.follow_up_on == today + timedelta(days=3) and not a.overdue
    a = apps.set_follow_up(orch, user=ME, job_id=job_id, on=today - timedelta(days=1))
    assert a.overdue and apps.board(orch, user=ME).overdue == [a]
    # the user's own today decides (a caller in another time zone)
    assert not apps.get_application(orch, user=ME, job_id=job_id, today=today - timedelta(days=1)).overdue
    a = apps.change_status(orch, user=ME, job_id=job_id, status="withdrawn")
    assert a.closed and not a.overdue and a.follow_up_on == today - timedelta(days=1)
    assert apps.set_follow_up(orch, user=ME, job_id=job_id, on=None).follow_up_on is None


def test_another_users_job_is_not_found(demo_users):
    orch = demo_users
    mine = _job(orch)
    theirs = _job(orch, OTHER)
    calls = [
        lambda: apps.get_application(orch, user=ME, job_id=theirs),
        lambda: apps.history(orch, user=ME, job_id=theirs),
        lambda: apps.change_status(orch, user=ME, job_id=theirs, status="applied"),
        lambda: apps.set_follow_up(orch, user=ME, job_id=theirs, on=_today()),
        lambda: apps.set_notes(orch, user=ME, job_id=theirs, notes="mine now"),
        lambda: apps.get_application(orch, user=ME, job_id=999_999),
    ]
    for call in calls:
        with pytest.raises(NotFound, match="not one of your saved jobs"):
            call()
    with pytest.raises(InputRejected, match="whole number"):
        apps.change_status(orch, user=ME, job_id="1; drop", status="applied")
    assert [a.job_id for a in apps.board(orch, user=ME).applications] == [mine]
    t = apps.get_application(orch, user=OTHER, job_id=theirs)
    assert (t.status, t.events, t.notes) == ("saved", 0, "")


def test_the_board_is_one_query_however_many_jobs(demo_users):
    orch = demo_users

    def statements() -> tuple[int, int]:
        seen = []
        listener = lambda conn, cursor, statement, *a: seen.append(statement)  # noqa: E731
        event.listen(orch.db.engine, "before_cursor_execute", listener)
        try:
            board = apps.board(orch, user=ME)
        finally:
            event.remove(orch.db.engine, "before_cursor_execute", listener)
        return len([x for x in seen if x.lstrip().upper().startswith("SELECT")]), len(board.applications)

    first = _job(orch)
    apps.change_status(orch, user=ME, job_id=first, status="applied")
    one = statements()
    for _ in range(5):
        j = _job(orch)
        orch.run("draft_cv", user=ME, job_id=j)
        apps.change_status(orch, user=ME, job_id=j, status="interviewing")
    six = statements()
    assert one == (2, 1) and six == (2, 6)  # the user (with the plan), then the board


# ------------------------------------------------------------------ cost per application


def _ledger(orch, request_id: str) -> list[UsageRecord]:
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)).all()


def test_cost_sums_failed_and_successful_attempts_of_the_extraction_and_the_drafts(sim_orch, demo_users, fresh_sim):
    """Through the real pipeline: a cut answer is a failed attempt that cost us and was not
    charged; the application's AI cost counts it, the charge does not."""
    orch = sim_orch
    chain = "sim-openai:gpt-4o-mini,sim-gemini:gemini-2.5-flash-lite"
    for task in ("extract_job", "draft_cv", "cover_letter"):
        set_chain(orch, "paygo", task, chain)
    fresh_sim.add_fault("openai", kind="truncate", after=8)
    extraction = orch.run("extract_job", user=PAYGO, text=POSTING)
    job_id = extraction.job_id
    fresh_sim.add_fault("openai", kind="truncate", after=12)
    cv = orch.run("draft_cv", user=PAYGO, job_id=job_id)
    letter = orch.run("cover_letter", user=PAYGO, job_id=job_id)
    other = orch.run("draft_cv", user=PAYGO, job_id=_job(orch, PAYGO))  # another job's cost stays there

    rows = [r for rid in (extraction.request_id, cv.request_id, letter.request_id) for r in _ledger(orch, rid)]
    failed = [r for r in rows if r.status == "error"]
    assert len(failed) == 2 and all(r.cost_usd > 0 and r.charged_usd == 0 for r in failed)
    assert {r.job_id for r in _ledger(orch, cv.request_id)} == {job_id}
    a = apps.get_application(orch, user=PAYGO, job_id=job_id)
    assert a.ai_cost_usd == sum((r.cost_usd for r in rows), Decimal(0)) > 0
    assert a.charged_usd == sum((r.charged_usd for r in rows), Decimal(0)) > 0
    assert a.ai_cost_usd > sum((r.cost_usd for r in rows if r.status == "success"), Decimal(0))
    assert (a.attempts, a.unpriced_attempts) == (len(rows), 0)
    assert dict(a.documents) == {"cv": 1, "cover_letter": 1} and len(a.document_labels) == 2
    board = apps.board(orch, user=PAYGO)  # every request here belongs to one of the user's two jobs
    with orch.db.read() as s:
        spent = s.scalar(select(func.sum(UsageRecord.cost_usd)).join(User, User.id == UsageRecord.user_id)
                         .where(User.email == PAYGO))
    assert board.uses_credit and len(board.applications) == 2 and board.ai_cost_usd == spent
    assert not apps.board(orch, user=ME).uses_credit


def _row(orch, request_id: str, *, user: str, plan: str, task: str, cost: str | None, charged: str = "0",
         job_id: int | None = None, status: str = "success", attempt: int = 1, when: datetime | None = None):
    from orchestrator.services.admin.users import get_user

    uid = get_user(orch, email=user).id
    values = ledger.attempt_row(request_id=request_id, attempt=attempt, user_id=uid, plan=plan, task=task,
                                provider="p", provider_kind="openai", model="m", status=status,
                                cost=Decimal(cost) if cost is not None else None, priced=cost is not None,
                                charged=Decimal(charged), timestamp=when or datetime.now(UTC), job_id=job_id)
    with orch.db.write() as s:
        s.execute(insert(UsageRecord), [values])


def _request_of(orch, job_id: int) -> str:
    with orch.db.read() as s:
        return s.scalar(select(Job.request_id).where(Job.id == job_id))


def test_unpriced_attempts_are_counted_apart_and_a_deleted_jobs_requests_never_move_to_a_new_job(demo_users):
    orch = demo_users
    job_id = _job(orch)
    _row(orch, "r-draft", user=ME, plan="freemium", task="draft_cv", cost="0.004", job_id=job_id, status="error")
    _row(orch, "r-draft", user=ME, plan="freemium", task="draft_cv", cost=None, job_id=job_id, attempt=2)
    a = apps.get_application(orch, user=ME, job_id=job_id)
    assert (a.ai_cost_usd, a.unpriced_attempts, a.attempts) == (Decimal("0.004"), 1, 3)
    documents.delete_job(orch, user=ME, job_id=job_id)
    again = _job(orch)  # on SQLite this may get the deleted job's id back
    b = apps.get_application(orch, user=ME, job_id=again)
    assert (b.ai_cost_usd, b.attempts, b.unpriced_attempts) == (Decimal(0), 1, 0)


# ------------------------------------------------------------------ analytics


def _period(days: int = 7) -> AnalyticsFilter:
    return AnalyticsFilter(start=_today() - timedelta(days=days - 1), end=_today())


def _report(orch, filt: AnalyticsFilter):
    clear_cache()
    return report.cost_per_application(orch, filt=filt)


def test_no_jobs_means_no_cost_per_application(demo_users):
    r = _report(demo_users, _period())
    assert r.plans == () and r.total.jobs == 0 and r.total.ai_cost_usd == 0
    assert r.total.cost_per_application is None and r.total.cost_per_interview is None


def test_cost_per_application_and_per_interview_by_plan(demo_users):
    orch = demo_users
    now = datetime.now(UTC)
    # freemium: three jobs; one applied, one interviewing (reached applied too), one never applied
    f1, f2, f3 = _job(orch), _job(orch), _job(orch)
    for jid, cost in ((f1, "0.010"), (f2, "0.020"), (f3, "0.003")):
        _row(orch, _request_of(orch, jid), user=ME, plan="freemium", task="extract_job", cost=cost, attempt=2)
    _row(orch, "f1-cv", user=ME, plan="freemium", task="draft_cv", cost="0.005", job_id=f1, status="error")
    _row(orch, "f1-cv", user=ME, plan="freemium", task="draft_cv", cost="0.007", job_id=f1, attempt=2)
    apps.change_status(orch, user=ME, job_id=f1, status="applied")
    apps.change_status(orch, user=ME, job_id=f2, status="applied")
    apps.change_status(orch, user=ME, job_id=f2, status="interviewing")
    # paygo: one job, rejected after applying (an application, no interview); charged
    p1 = _job(orch, PAYGO)
    _row(orch, "p1-cv", user=PAYGO, plan="paygo", task="draft_cv", cost="0.030", charged="0.036", job_id=p1)
    apps.change_status(orch, user=PAYGO, job_id=p1, status="rejected")
    # pro: one job, work outside the period only
    o1 = _job(orch, OTHER)
    with orch.db.write() as s:  # saved 40 days ago
        job = s.get(Job, o1)
        job.created_at = now - timedelta(days=40)
        s.execute(update(UsageRecord).where(UsageRecord.request_id == job.request_id)
                  .values(timestamp=now - timedelta(days=40)))
    _row(orch, "o1-cv", user=OTHER, plan="pro", task="draft_cv", cost="0.5", job_id=o1, when=now - timedelta(days=30))
    apps.change_status(orch, user=OTHER, job_id=o1, status="offer")
    # a request not tied to any job is not an application's cost
    _row(orch, "loose", user=ME, plan="freemium", task="extract_job", cost="9")

    r = _report(orch, _period())
    by = {p.plan: p for p in r.plans}
    assert list(by) == ["freemium", "paygo"]  # the pro job's work is older
    f = by["freemium"]
    assert (f.jobs, f.applications, f.interviews) == (3, 2, 1)
    assert f.ai_cost_usd == Decimal("0.045") and f.charged_usd == 0 and f.name == "Freemium"
    assert f.cost_per_application == Decimal("0.0225") and f.cost_per_interview == Decimal("0.045")
    p = by["paygo"]
    assert (p.jobs, p.applications, p.interviews, p.ai_cost_usd, p.charged_usd) == (1, 1, 0, Decimal("0.03"),
                                                                                   Decimal("0.036"))
    assert p.cost_per_application == Decimal("0.03") and p.cost_per_interview is None
    t = r.total
    assert (t.jobs, t.applications, t.interviews, t.ai_cost_usd) == (4, 3, 1, Decimal("0.075"))
    assert t.cost_per_application == Decimal("0.025") and t.cost_per_interview == Decimal("0.075")

    # the plan filter and a period that reaches the old work
    only = _report(orch, AnalyticsFilter(start=_today() - timedelta(days=40), end=_today(), plans=("pro",)))
    (o,) = only.plans
    assert (o.plan, o.jobs, o.applications, o.interviews, o.ai_cost_usd) == ("pro", 1, 1, 1, Decimal("0.5"))
    assert only.total.cost_per_interview == Decimal("0.5")
    # thirds are rounded to the picodollar
    third = report.PlanApplications("x", "X", jobs=3, applications=3, interviews=0, ai_cost_usd=Decimal("0.01"),
                                    charged_usd=Decimal(0), unpriced=0)
    assert third.cost_per_application == Decimal("0.003333333333")


def test_jobs_without_events_or_with_only_saved_are_not_applications(demo_users):
    orch = demo_users
    j = _job(orch)
    apps.change_status(orch, user=ME, job_id=j, status="withdrawn")
    with orch.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ApplicationEvent)) == 1
    r = _report(orch, _period(1))
    assert (r.total.jobs, r.total.applications, r.total.interviews) == (1, 0, 0)
    assert r.total.cost_per_application is None


# ------------------------------------------------------------------ demo data


def test_the_demo_seed_fills_the_boards_and_the_analytics_and_purge_removes_it(orch):
    from orchestrator.seeding.demo import purge_demo, seed_demo

    created = seed_demo(orch, users=20, days=30)
    assert created["demo_applications"] == 21 and seed_demo(orch, users=20, days=30)["demo_applications"] == 0
    for email in (ME, PAYGO, OTHER):
        board = apps.board(orch, user=email)
        assert {a.status for a in board.applications} == set(apps.STATUSES)
        assert len(board.overdue) == 1 and all(a.steps or a.status == "saved" for a in board.applications)
        assert all(a.attempts == 0 for a in board.applications)  # the demo accounts' usage stays their own
    with orch.db.read() as s:
        linked = s.scalar(select(func.count()).select_from(UsageRecord).where(UsageRecord.job_id.is_not(None)))
        late = s.scalar(select(func.count()).select_from(UsageRecord).join(Job, Job.id == UsageRecord.job_id)
                        .where(UsageRecord.timestamp < Job.created_at))
        events = s.scalar(select(func.count()).select_from(ApplicationEvent))
    assert linked > 0 and late == 0 and events > 21
    r = _report(orch, _period(30))
    assert r.total.jobs > 0 and r.total.applications > 0 and r.total.ai_cost_usd > 0
    assert r.total.cost_per_application is not None
    removed = purge_demo(orch)
    assert removed["jobs"] > 21
    with orch.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0
        assert s.scalar(select(func.count()).select_from(ApplicationEvent)) == 0
