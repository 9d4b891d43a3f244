"""How fast the admin console answers, in a real browser, on the 90-day demo data.

Signs in as the demo super admin, opens every admin page (and Plan and usage) from the sidebar
and measures click-to-settled (a first visit over the limit is measured again in two new
sessions and the median of the three counts: the CI machine is shared and noisy); then changes the Analytics period (a preset) and a filter and
measures that too. Prints a table of the times (``pytest -s`` shows it; it is also written to
artifacts/browser/page_times.txt) and fails when a figure is above twice its target: targets are
1.0 s per page, 1.5 s for Cost analytics and 1.0 s for a filter change. Saves a full-page
screenshot of every admin page at 1440 px wide to artifacts/browser/admin_<page>.png.

"Settled": Streamlit says its script is not running (``data-test-script-state`` on the app), the
page's title is shown,
no element is stale (left over from the previous run), no skeleton is waiting for its code and
every chart on screen has drawn.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from orchestrator.tasks import TASKS
from tests.browser.conftest import _require_chromium, serve_app, sign_in

pytestmark = pytest.mark.browser

PAGE_TARGET_S = 1.0
ANALYTICS_TARGET_S = 1.5
FILTER_TARGET_S = 1.0

# sidebar label -> (page title, screenshot name or None for user pages)
PAGES = {
    "Overview": ("Admin overview", "overview"),
    "Cost analytics": ("Cost analytics", "analytics"),
    "Alerts": ("Alerts", "alerts"),
    "Providers": ("Providers", "providers"),
    "Models & prices": ("Models & prices", "models"),
    "Routing": ("Routing", "routing"),
    "Plans & quotas": ("Plans & quotas", "plans"),
    "Users": ("Users", "users"),
    "Usage log": ("Usage log", "usage_log"),
    "Request inspector": ("Request inspector", "request"),
    "Audit log": ("Audit log", "audit_log"),
    "Security": ("Security", "security"),
    "Stakeholder demo": ("Stakeholder demo", "demo"),
    "Plan and usage": ("Plan and usage", None),
}

# true once the current run is over (the app's own script state), the title
# shown, nothing stale or still loading, every visible chart drawn
SETTLED = """([title, text]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const h1 = [...document.querySelectorAll('[data-testid="stMain"] h1')].map(e => e.innerText.trim());
  if (!h1.includes(title)) return false;
  if (document.querySelector('[data-testid="stMain"] [data-stale="true"], [data-testid="stSkeleton"]'))
    return false;
  const drawn = (sel, mark) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent)
      .every(c => c.querySelector(mark));
  if (!drawn('[data-testid="stPlotlyChart"]', '.main-svg')) return false;
  if (!drawn('[data-testid="stVegaLiteChart"]', 'svg.marks, canvas')) return false;
  return !text || [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
      .some(e => e.innerText.includes(text));
}"""


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """`streamlit run app.py` on a SQLite database with the full demo (accounts and 90 days of
    history, as `make seed` makes it)."""
    _require_chromium()
    seed = ("from orchestrator import Orchestrator; from orchestrator.seeding.demo import seed_demo; "
            "seed_demo(Orchestrator())")
    with serve_app(tmp_path_factory.mktemp("speed"), seed, seed_timeout=300) as url:
        yield url


def _wait_settled(page, title: str, text: str = "", timeout: float = 30_000) -> None:
    page.wait_for_function(SETTLED, arg=[title, text], polling="raf", timeout=timeout)


def _timed(page, action, title: str, text: str = "") -> float:
    """Seconds from ``action()`` (a click) to the page being settled."""
    t = time.perf_counter()
    action()
    _wait_settled(page, title, text)
    return time.perf_counter() - t


def _link(page, label: str):
    nav = page.locator('[data-testid="stSidebarNav"]')
    more = nav.get_by_text(re.compile(r"^View \d+ more$"))
    if more.count():
        more.click()
    return nav.get_by_role("link", name=label, exact=True)


def _shot(page, artifacts: Path, name: str, title: str) -> None:
    """The whole page at 1440 px wide: the viewport is stretched to the content (Streamlit scrolls
    inside its main container), then settled again (charts redraw at the new size)."""
    size = page.viewport_size
    height = page.evaluate("Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
                           "[data-testid=stMainBlockContainer]')].map(e => e.scrollHeight), 0)")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height) + 40, 8000))})
    _wait_settled(page, title)
    page.wait_for_timeout(800)  # tables paint their canvases after layout; nothing to wait on in the DOM
    page.screenshot(path=str(artifacts / f"admin_{name}.png"))
    page.set_viewport_size(size)


def test_page_speed(demo_url, context, artifacts):
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, demo_url, "admin@example.com")
    page.get_by_role("heading", name="Welcome, Ada").wait_for()
    _wait_settled(page, "Welcome, Ada")

    rows: list[tuple[str, float, float]] = []
    try:
        _visit_all(page, artifacts, rows)
        _analytics_filters(page, rows)
    finally:
        lines = [f"{'page / action':40}{'seconds':>9}{'target':>8}{'limit':>8}"]
        lines += [f"{name:40}{took:9.2f}{target:8.1f}{2 * target:8.1f}{'  SLOW' if took > 2 * target else ''}"
                  for name, took, target in rows]
        table = "\n".join(lines)
        print("\n" + table)
        (artifacts / "page_times.txt").write_text(table + "\n")
    assert len(rows) == len(PAGES) + 3
    slow = [(name, round(took, 2)) for name, took, target in rows if took > 2 * target]
    assert not slow, f"slower than twice the target:\n{table}"


def _visit_all(page, artifacts: Path, rows: list) -> None:
    for label, (title, shot) in PAGES.items():
        target = ANALYTICS_TARGET_S if label == "Cost analytics" else PAGE_TARGET_S
        took = _timed(page, _link(page, label).click, title)
        assert not page.locator('[data-testid="stException"]').count(), f"{label} raised an exception"
        if took > 2 * target:
            took = _median_of_fresh_visits(page, label, title, took)
        rows.append((f"{label}: first visit", took, target))
        if shot:
            _shot(page, artifacts, shot, title)


def _median_of_fresh_visits(page, label: str, title: str, first: float) -> float:
    """A first visit over the limit is measured twice more, each time as the first visit of a new
    session (a new tab of the signed-in browser), and the median of the three counts: one stall
    of a shared 2-core machine is noise, a page that is slow every time is not."""
    samples = [first]
    for _ in range(2):
        fresh = page.context.new_page()
        fresh.set_viewport_size({"width": 1440, "height": 900})
        fresh.goto(re.match(r"https?://[^/]+", page.url).group(0) + "/")
        fresh.get_by_role("heading", name="Welcome, Ada").wait_for()
        _wait_settled(fresh, "Welcome, Ada")
        samples.append(_timed(fresh, _link(fresh, label).click, title))
        fresh.close()
    print(f"{label}: first visit {first:.2f} s over the limit; fresh sessions: "
          + ", ".join(f"{t:.2f} s" for t in samples[1:]))
    return sorted(samples)[1]


def _analytics_filters(page, rows: list) -> None:
    """A preset, then a chip filter, each from the click to the redrawn KPI caption."""
    rows.append(("Cost analytics: second visit", _timed(page, _link(page, "Cost analytics").click, "Cost analytics"),
                 ANALYTICS_TARGET_S))
    today = datetime.now(UTC).date()
    span = f"{today - timedelta(days=6):%d %b %Y} – {today:%d %b %Y} (UTC)"
    preset = page.get_by_test_id("stButtonGroup").get_by_text("7 d", exact=True)
    rows.append(("Cost analytics: preset 7 d", _timed(page, preset.click, "Cost analytics", span), FILTER_TARGET_S))

    picked = TASKS["cover_letter"].label
    page.get_by_role("combobox", name=re.compile("^Task")).click()
    option = page.get_by_role("option", name=picked, exact=True)
    took = _timed(page, option.click, "Cost analytics", f"Task: {picked}.")
    rows.append(("Cost analytics: Task filter", took, FILTER_TARGET_S))
    page.keyboard.press("Escape")
