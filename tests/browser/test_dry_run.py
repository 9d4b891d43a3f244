"""The routing dry run in a real browser: edit one cell of a draft, run the dry run, see the
changed cell first with its delta and a headline equal to that delta (unchanged cells add
exactly $0), then save the draft and compare the two saved versions side by side.

The server runs on a fresh SQLite database with the demo accounts and a small planted
history (``tests.app.admin_helpers.plant_traffic``); screenshots go to artifacts/browser/.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _require_chromium, serve_app, sign_in
from tests.browser.test_admin_flow import _nav, _select, _settle, _shot
from ui.admin_common import signed_usd

pytestmark = pytest.mark.browser

M = Decimal(1_000_000)
# freemium/extract_job's 4 answered requests: 3,903 input tokens (300 cached), 780 output
FLASH_LITE = ((3_903 - 300) * Decimal("0.1") + 300 * Decimal("0.01") + 780 * Decimal("0.4")) / M
NANO = ((3_903 - 300) * Decimal("0.05") + 300 * Decimal("0.005") + 780 * Decimal("0.4")) / M
# paygo/draft_cv's 2 answered requests on claude-sonnet-4-5 (unchanged): the rest of both totals
SONNET = ((2_000 * 3 + 500 * Decimal("0.3") + 1_200 * 15) + (2_400 * 3 + 1_100 * 15)) / M
DELTA = NANO - FLASH_LITE
HEADLINE = f"{signed_usd(DELTA)} ({DELTA / (FLASH_LITE + SONNET) * 100:+.1f} %)"


def _seed(db_url: str) -> None:
    from orchestrator import Orchestrator
    from orchestrator.seeding.demo import _accounts
    from tests.app.admin_helpers import plant_traffic

    orch = Orchestrator(database_url=db_url)
    _accounts(orch)
    plant_traffic(orch)
    orch.close()


@pytest.fixture(scope="module")
def dry_app(tmp_path_factory):
    """`streamlit run app.py` on a database with the demo accounts and a planted history."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("dryrun")
    code = "import sys; from tests.browser.test_dry_run import _seed; _seed(sys.argv[1])"
    with serve_app(tmp, code, f"sqlite:///{tmp / 'app.db'}", seed_timeout=180) as url:
        yield url


def _metric(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')


def _run(page) -> None:
    page.get_by_role("button", name="Run dry run").click()
    _settle(page)


def test_dry_run_changed_cell_first_and_two_saved_versions(dry_app, context, artifacts):
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, dry_app, "admin@example.com")
    page.get_by_role("heading", name="Welcome, Ada").wait_for()
    _nav(page, "Routing")
    page.get_by_role("heading", name="Routing").wait_for()

    # edit one cell of the draft (the open cell is freemium / extract_job)
    chain = page.get_by_label("Or type the chain")
    chain.fill("openai:gpt-5-nano, anthropic:claude-haiku-4-5")
    page.get_by_role("button", name="Apply").click()
    _settle(page)
    expect(_metric(page, "Unsaved changes")).to_have_text("1")

    # draft against live: the changed cell comes first, and the headline is its delta
    _run(page)
    expect(_metric(page, "Change (draft vs v1 (live))")).to_have_text(HEADLINE, timeout=30_000)
    changed = page.locator('[class*="st-key-dry_changed_"]')
    expect(changed).to_have_count(1)
    first = changed.first
    expect(first).to_have_class(re.compile(r"st-key-dry_changed_freemium_extract_job"))
    expect(first).to_contain_text("freemium / extract_job")
    expect(first).to_contain_text("4 requests")
    expect(first).to_contain_text(f"Δ {signed_usd(DELTA)}")
    expect(first).to_contain_text("gemini:gemini-2.5-flash-lite → openai:gpt-5-nano")
    expect(first).to_contain_text("openai:gpt-5-nano → anthropic:claude-haiku-4-5")
    # the export carries the exact amounts
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV (exact amounts)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[1][:4] == ["freemium", "extract_job", "yes", "4"]
    assert (rows[1][8], rows[1][11], rows[1][12]) == (f"${FLASH_LITE}", f"${NANO}", f"-${-DELTA}")
    page.get_by_text("Changed cells (1)").scroll_into_view_if_needed()
    _shot(page, artifacts, "routing_dry_run_draft")

    # save the draft: v2 is live; then compare the two saved versions side by side
    page.get_by_label("What changed and why").fill("cheaper extraction for freemium")
    page.get_by_role("button", name="Save as new version").click()
    _settle(page)
    expect(page.get_by_text("Saved version v2")).to_be_visible(timeout=30_000)
    _select(page, "Version A", "v1")
    _select(page, "Version B", "v2 (live)")
    _run(page)
    expect(_metric(page, "Change (v2 (live) vs v1)")).to_have_text(HEADLINE, timeout=30_000)
    first = page.locator('[class*="st-key-dry_changed_"]').first
    expect(first).to_have_class(re.compile(r"st-key-dry_changed_freemium_extract_job"))
    expect(first).to_contain_text("v1: gemini:gemini-2.5-flash-lite → openai:gpt-5-nano")
    expect(first).to_contain_text("v2 (live): openai:gpt-5-nano → anthropic:claude-haiku-4-5")
    expect(_metric(page, "Predicted cost: v1")).to_have_text(re.compile(r"^\$0\.04"))
    _shot(page, artifacts, "routing_dry_run_versions")
