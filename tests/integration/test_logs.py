"""Usage log explorer and audit log services: grouping by request, filters, paging,
totals that match SQL, and secrets never coming back out of the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from db.models import AuditEntry
from orchestrator.services.reports import logs
from orchestrator.services.admin import providers, users
from tests.app.admin_helpers import plant_traffic
from tests.support import acting, operator


def test_requests_carry_all_their_attempts(demo_users):
    orch = demo_users
    ids = plant_traffic(orch)
    page = logs.usage_requests(orch, filters=logs.UsageFilter(since=datetime.now(UTC) - timedelta(days=30)))
    assert page.total == 8 and len(page.requests) == 8
    by_id = {g.request_id: g for g in page.requests}
    fb = by_id[ids["fallback"][0]]
    assert [(a.attempt, a.provider, a.status) for a in fb.attempts] == [(1, "openai", "error"),
                                                                        (2, "gemini", "success")]
    assert fb.outcome == "success" and fb.fell_back and fb.user_email == "free@example.com"
    assert fb.cost_usd == sum(a.cost_usd for a in fb.attempts) and fb.cost_usd > 0
    assert by_id[ids["sonnet"][1]].cost_usd is None  # an unpriced attempt makes the total unknown
    assert by_id[ids["denied"][0]].outcome == "quota_denied"
    starts = [g.started_at for g in page.requests]
    assert starts == sorted(starts, reverse=True)


def test_filters_select_requests_by_any_attempt(demo_users):
    orch = demo_users
    ids = plant_traffic(orch)
    month = datetime.now(UTC) - timedelta(days=30)

    def found(**kw):
        return [g.request_id for g in logs.usage_requests(orch, filters=logs.UsageFilter(since=month, **kw)).requests]

    assert found(provider="openai") == ids["fallback"]
    assert len(logs.usage_requests(orch, filters=logs.UsageFilter(provider="openai")).requests[0].attempts) == 2
    assert sorted(found(status="error")) == sorted([ids["fallback"][0], ids["sonnet"][1]])
    assert sorted(found(user_email="PAYGO")) == sorted(ids["sonnet"])
    assert found(model="claude-sonnet-4-5", plan="paygo", task="draft_cv") == ids["sonnet"]
    assert found(request_id=ids["old"][0][:7]) == []  # older than the window
    assert logs.usage_requests(orch, filters=logs.UsageFilter(request_id=ids["old"][0])).total == 1
    assert found(request_id="%") == []


def test_paging_and_summary_match_sql(demo_users):
    orch = demo_users
    plant_traffic(orch)
    f = logs.UsageFilter(since=datetime.now(UTC) - timedelta(days=30))
    seen = []
    for page in (1, 2, 3):
        seen += [g.request_id for g in logs.usage_requests(orch, filters=f, page=page, page_size=3).requests]
    assert len(seen) == len(set(seen)) == 8
    summary = logs.usage_summary(orch, filters=f)
    since = f.since.replace(tzinfo=None)
    with orch.db.engine.connect() as c:
        n_req, n_att, pico = c.execute(text(
            "SELECT COUNT(DISTINCT request_id), COUNT(*), SUM(cost_usd) FROM usage_log WHERE timestamp >= :s"),
            {"s": since}).one()
    assert (summary.requests, summary.attempts, summary.errors) == (n_req, n_att, 2)
    assert summary.cost_usd == Decimal(int(pico)) * Decimal("1e-12")
    opts = logs.usage_filter_options(orch)
    assert "gemini" in opts.providers and "claude-sonnet-4-5" in opts.models and "paygo" in opts.plans


def test_audit_entries_filters_and_never_secrets(orch):
    key = "sk-proj-NeverInAudit0123456789abcd"
    users.add_user(orch, email="root@example.com", plan="pro", role="super_admin", actor=operator())
    users.add_user(orch, email="ops@example.com", plan="pro", role="admin", actor=operator())
    providers.add_provider(orch, name="k", kind="openai", api_key=key, actor=acting(orch, "root@example.com"))
    providers.update_provider(orch, "k", priority=5, actor=acting(orch, "ops@example.com"))
    with orch.db.write() as s:  # a row written around the cleaner must still not come back out
        s.add(AuditEntry(actor="legacy", action="provider.update", target_type="provider", target_id="k",
                         before={"api_key": key}, after={"password": "hunter2", "priority": 1}))
    page = logs.audit_entries(orch, target_type="provider")
    assert page.total == 3
    assert key not in repr(page.rows) and "hunter2" not in repr(page.rows)
    assert page.rows[0].after == {"priority": 1}
    upd = logs.audit_entries(orch, actor="ops@").rows[0]
    assert ("priority", 100, 5) in upd.changes()
    assert logs.audit_entries(orch, action="provider.add").total == 1
    assert logs.audit_entries(orch, search="root@", target_type="provider").total == 0  # who is not searched
    assert logs.audit_entries(orch, search="K").total == 3
    assert logs.audit_entries(orch, since=datetime.now(UTC) + timedelta(minutes=1)).total == 0
    opts = logs.audit_filter_options(orch)
    assert {"legacy", "ops@example.com", "root@example.com"} <= set(opts["actors"])
