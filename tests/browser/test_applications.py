"""The application tracker in a real browser: the board with the demo applications (an overdue
follow-up highlighted, the AI cost on each card), moving a job to interviewing, the list view."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.browser.conftest import ROOT, _free_port, _require_chromium, _wait_healthy, sign_in
from tests.browser.test_admin_flow import _select
from tests.browser.test_user_flow import _nav, _settle, _shot
from tests.conftest import TEST_MASTER_KEY
from tests.support import POSTING

pytestmark = pytest.mark.browser

USER = "free@example.com"
COST = Decimal("0.0123")


def _seed(url: str) -> int:
    """The demo accounts and their demo applications, plus one extracted job whose drafting
    request cost ``COST`` over a failed and a successful attempt; returns that job's id."""
    from sqlalchemy import insert

    from db.models import UsageRecord
    from orchestrator import Orchestrator, ledger
    from orchestrator.seeding import demo_applications
    from orchestrator.seeding.demo import _accounts
    from orchestrator.services.admin.users import get_user

    with Orchestrator(database_url=url) as orch:
        _accounts(orch)
        demo_applications.seed_accounts(orch)
        job_id = orch.run("extract_job", user=USER, text=POSTING).job_id
        uid = get_user(orch, email=USER).id
        rows = [ledger.attempt_row(request_id="b" * 32, attempt=n, user_id=uid, plan="freemium", task="draft_cv",
                                   provider="p", provider_kind="openai", model="m", status=status, cost=cost,
                                   timestamp=datetime.now(UTC), job_id=job_id)
                for n, status, cost in ((1, "error", Decimal("0.0023")), (2, "success", Decimal("0.01")))]
        with orch.db.write() as s:
            s.execute(insert(UsageRecord), rows)
    return job_id


@pytest.fixture(scope="module")
def tracker_app(tmp_path_factory):
    """`streamlit run app.py` on a database with demo applications; yields (url, job id)."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("tracker")
    db_url = f"sqlite:///{tmp / 'app.db'}"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.endswith("_BASE_URL")}
    env.update(DATABASE_URL=db_url, ORCHESTRATOR_MASTER_KEY=TEST_MASTER_KEY, ORCHESTRATOR_DATA_DIR=str(tmp),
               PYTHONPATH=str(ROOT), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    code = "import sys; from tests.browser.test_applications import _seed; print(_seed(sys.argv[1]))"
    out = subprocess.run([sys.executable, "-c", code, db_url], cwd=ROOT, env=env, check=True, timeout=120,
                         capture_output=True, text=True)
    job_id = int(out.stdout.strip().splitlines()[-1])
    port = _free_port()
    log = tmp / "streamlit.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url, job_id
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _column_header(page, status: str, n: int):
    return page.get_by_text(re.compile(rf"{status} · {n}$"))


def test_board_move_to_interviewing_and_cost(tracker_app, context, artifacts):
    url, job_id = tracker_app
    page = context.new_page()
    sign_in(page, url)
    page.get_by_role("heading", name="Welcome, Frida").wait_for()
    _nav(page, "Applications")
    page.get_by_role("heading", name="Applications").wait_for()

    # the board: a column per status, the demo applications in them
    for status, n in (("Saved", 2), ("Applied", 2), ("Interviewing", 1), ("Offer", 1), ("Rejected", 1),
                      ("Withdrawn", 1)):
        _column_header(page, status, n).wait_for()
    card = page.locator(f".st-key-apps_card_{job_id}")
    card.get_by_text("Senior Python Engineer").wait_for()
    card.get_by_text("AI cost $0.0123").wait_for()  # a failed and a successful attempt
    overdue = page.get_by_text(re.compile(r"Follow up \d\d \w\w\w — overdue"))
    assert overdue.count() == 1
    color = "e => getComputedStyle(e).color"
    assert overdue.evaluate(color) != page.get_by_role("heading", name="Applications").evaluate(color)  # red
    _shot(page, artifacts, "applications_01_board")

    # the newest job is open below the board (its card has no Open button); move it to interviewing
    assert card.get_by_role("button", name="Open").count() == 0
    page.get_by_role("heading", name="Senior Python Engineer — Acme Analytics GmbH").wait_for()
    page.get_by_text(re.compile(r"AI cost \$0\.0123 · 3 AI attempts, failed ones included")).wait_for()
    _select(page, "Status", "Interviewing")
    page.get_by_role("textbox", name="Note (optional)").fill("Phone screen booked")
    page.get_by_role("button", name="Update status").click()
    page.get_by_text("Moved to Interviewing.").wait_for()
    _settle(page)
    _column_header(page, "Interviewing", 2).wait_for()
    _column_header(page, "Saved", 1).wait_for()
    page.get_by_text(re.compile(r"Interviewing · Phone screen booked")).wait_for()
    _shot(page, artifacts, "applications_02_moved")

    # the list view
    page.locator('[data-testid="stButtonGroup"]').get_by_text("List", exact=True).click()
    _settle(page)
    page.locator('[data-testid="stDataFrame"]').wait_for()
    _shot(page, artifacts, "applications_03_list")


def test_admin_sees_cost_per_application_by_plan(tracker_app, context, artifacts):
    url, _job_id = tracker_app
    page = context.new_page()
    sign_in(page, url, email="admin@example.com")
    page.get_by_role("heading", name="Welcome, Ada").wait_for()
    _nav(page, "Cost analytics")
    page.get_by_role("tab", name="Applications").click()
    _settle(page)
    tab = page.get_by_role("tabpanel", name="Applications")
    tab.get_by_text("Cost per application").wait_for()
    tab.get_by_text("Cost per interview").wait_for()
    tab.locator('[data-testid="stDataFrame"]').wait_for()
    tab.get_by_text(re.compile("failed ones included")).wait_for()
    _shot(page, artifacts, "applications_04_admin")
