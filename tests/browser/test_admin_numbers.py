"""Numbers a person can read, in the browser at 1440 px: the admin menu leads with Overview, costs and
audit values are rounded for reading (no "$0.000000", no "10.000000000000"), and the admin pages
that show money are saved as screenshots (artifacts/browser/numbers_*.png) to check nothing is cut."""

from __future__ import annotations

import re

from tests.browser.conftest import sign_in
from tests.browser.test_admin_flow import _nav, _settle, _shot


def test_admin_menu_and_readable_numbers(app_url, context, artifacts):
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, app_url, "admin@example.com")
    page.get_by_role("heading", name="Welcome, Ada").wait_for()

    nav = page.locator('[data-testid="stSidebarNav"]')
    more = nav.get_by_text(re.compile(r"^View \d+ more$"))
    if more.count():
        more.click()
    links = [t.strip().split("\n")[-1] for t in nav.get_by_role("link").all_inner_texts()]
    admin = links[links.index("Overview"):]
    assert admin[:4] == ["Overview", "Cost analytics", "Alerts", "Providers"], links

    # a plan change (money and a token limit typed with separators), then its audit entry
    _nav(page, "Plans & quotas")
    page.get_by_role("heading", name="Plans & quotas").wait_for()
    page.get_by_role("textbox", name="Tokens per month").wait_for()
    assert page.get_by_role("textbox", name="Tokens per month").input_value() == "300,000"
    page.get_by_role("textbox", name="Monthly fee (USD)").fill("12.5")
    page.get_by_role("button", name="Save limits").click()
    page.get_by_text("Saved the limits of Freemium.").wait_for()
    _shot(page, artifacts, "numbers_plans")

    _nav(page, "Audit log")
    page.get_by_role("heading", name="Audit log").wait_for()
    page.get_by_text(re.compile(r"^1 change\(s\) in the last 30 day\(s\)$")).wait_for()
    main = page.locator('[data-testid="stMain"]')
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 30)  # the first row's selection box (tall rows: 68 px)
    page.get_by_text("by admin@example.com at").wait_for()
    page.get_by_text('"12.5"').wait_for()  # the exact value, without the storage scale
    assert "0000000" not in main.inner_text()
    _shot(page, artifacts, "numbers_audit_log")

    for label, heading in (("Usage log", "Usage log"), ("Request inspector", "Request inspector"),
                           ("Users", "Users"), ("Models & prices", "Models & prices"), ("Alerts", "Alerts"),
                           ("Security", "Security")):
        _nav(page, label)
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        _settle(page)
        text = main.inner_text()
        assert "$0.000000" not in text and "python -m" not in text, label
        _shot(page, artifacts, "numbers_" + re.sub(r"\W+", "_", label.lower()).strip("_"))
