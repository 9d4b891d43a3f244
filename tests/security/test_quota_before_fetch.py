"""A user with no quota left makes the server fetch nothing: the request's quota hold comes
before the URL fetch, and the month's budget and the credit are checked too."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from db.models import UsageRecord, User
from orchestrator.errors import InputRejected, QuotaExceeded
from orchestrator.services.admin import admin_users, plans, security
from tests.support import operator

POSTING = (b"<html><body><h1>Data Engineer</h1><p>Acme GmbH, Berlin. Python, SQL and dbt. "
           b"Full-time, hybrid.</p></body></html>")


@pytest.fixture
def page(site):
    """The posting on a loopback server; ``page.requests`` lists what was fetched."""
    return site({"/job/1": (200, {}, POSTING)})


@pytest.fixture
def orch(demo_users):
    security.set_private_urls(demo_users, allowed=True, actor=operator())  # the page is on loopback
    return demo_users


def _url(page) -> str:
    return f"http://127.0.0.1:{page.port}/job/1"


def test_a_user_with_quota_gets_the_page_fetched(orch, page):
    result = orch.run("extract_job", user="free@example.com", url=_url(page))
    assert result.data.title and [path for path, _ in page.requests] == ["/job/1"]


def test_no_requests_left_today_means_no_fetch(orch, page):
    plans.set_limits(orch, code="freemium", requests_per_day=1, actor=operator())
    orch.run("extract_job", user="free@example.com", text="Data Engineer at Acme, Berlin. Python, SQL.")
    with pytest.raises(QuotaExceeded, match="requests of your plan for today"):
        orch.run("extract_job", user="free@example.com", url=_url(page))
    assert page.requests == []
    with orch.db.read() as s:
        assert s.scalars(select(UsageRecord.status).order_by(UsageRecord.id.desc()).limit(1)).one() == "quota_denied"


def test_no_tokens_left_this_month_means_no_fetch(orch, page):
    orch.run("extract_job", user="free@example.com", text="Data Engineer at Acme, Berlin. Python, SQL.")
    admin_users.set_overrides(orch, email="free@example.com", tokens_per_month=1, actor=operator())
    with pytest.raises(QuotaExceeded, match="tokens for the month"):
        orch.run("extract_job", user="free@example.com", url=_url(page))
    assert page.requests == []


def test_no_credit_left_means_no_fetch(orch, page):
    with orch.db.write() as s:
        s.execute(update(User).where(User.email == "paygo@example.com").values(credit_usd=Decimal(0)))
    with pytest.raises(QuotaExceeded, match="credit"):
        orch.run("extract_job", user="paygo@example.com", url=_url(page))
    assert page.requests == []


def test_a_malformed_link_is_refused_before_any_quota_is_taken(orch, page):
    plans.set_limits(orch, code="freemium", requests_per_day=1, actor=operator())
    for bad in ("ftp://example.com/job", "http://", "javascript:alert(1)", "http://" + "a" * 3000 + ".com/"):
        with pytest.raises(InputRejected):
            orch.run("extract_job", user="free@example.com", url=bad)
    # the day's one request is still there
    assert orch.run("extract_job", user="free@example.com", url=_url(page)).data.title


def test_a_failed_fetch_gives_the_request_back(orch, page):
    plans.set_limits(orch, code="freemium", requests_per_day=1, actor=operator())
    with pytest.raises(InputRejected):
        orch.run("extract_job", user="free@example.com", url=f"http://127.0.0.1:{page.port + 1}/gone")
    assert orch.run("extract_job", user="free@example.com", url=_url(page)).data.title
