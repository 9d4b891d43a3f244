"""Versions in a real browser: regenerating twice makes one document with three versions,
two versions compare side by side, an old one is restored, one bullet is rewritten, and
leaving the editor with unsaved edits asks first (a sidebar link and closing the tab)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import sign_in
from tests.browser.test_user_flow import _nav, _settle, _shot
from tests.support import POSTING

pytestmark = pytest.mark.browser


def _caption(page, pattern: str) -> None:
    page.locator('[data-testid="stCaptionContainer"]').filter(has_text=re.compile(pattern)).first.wait_for()


def _draft_three_versions(page) -> None:
    _nav(page, "Extract a job")
    page.get_by_role("textbox", name="Job posting").fill(POSTING)
    page.get_by_role("button", name="Extract", exact=True).click()
    page.get_by_text(re.compile("Served by Offline engine")).wait_for()
    page.get_by_role("button", name="Draft a CV").click()
    page.get_by_role("heading", name="Draft a CV").wait_for()
    page.get_by_role("button", name="Draft my CV").click()
    page.get_by_role("heading", name="Your CV").wait_for()
    for length, n in (("Short", 2), ("Detailed", 3)):  # other options: other text to compare
        page.get_by_role("radio", name=length, exact=True).click()  # a segmented control
        _settle(page)
        if n == 3:
            page.get_by_test_id("stSelectbox").filter(has_text="Tone").click()
            page.get_by_role("option", name="Friendly").click()
            _settle(page)
        page.get_by_role("button", name="Regenerate").click()
        _caption(page, rf"version {n} of {n}")
    _settle(page)


def _pick_part(page, name: str) -> None:
    """Choose a part in the long "Part to rewrite" list by searching it. On a loaded machine a
    late rerun can redraw the open list under the pointer; then the list is closed and opened
    again (the choice shows in the box once it is made)."""
    part = page.get_by_test_id("stSelectbox").filter(has_text="Part to rewrite")
    search = name.split(" · ")[1][:16]  # the list is long: search it
    for attempt in range(4):
        _settle(page)
        part.evaluate("e => e.scrollIntoView({block: 'start'})")  # room below it for the list: no scrolling
        part.click()
        page.keyboard.type(search)
        try:
            page.get_by_role("option", name=re.compile(re.escape(name))).click(timeout=6_000)
        except PlaywrightTimeout:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
            continue
        _settle(page)
        if any(search in box.input_value() for box in part.locator("input").all()):  # the box shows the choice
            return
    raise AssertionError(f"could not choose {name!r}")


def test_versions_compare_restore_rewrite_and_unsaved_warning(app_url, context, artifacts):
    page = context.new_page()
    dialogs: list[tuple[str, str]] = []
    answers: list[str] = []  # how to answer the next dialogs ("accept" once they run out)

    def answer(d) -> None:
        dialogs.append((d.type, d.message))
        getattr(d, answers.pop(0) if answers else "accept")()

    page.on("dialog", answer)
    sign_in(page, app_url)
    page.get_by_role("heading", name="Welcome, Frida").wait_for()
    _draft_three_versions(page)
    assert page.get_by_role("button", name="Versions (3)").is_visible()
    _shot(page, artifacts, "versions_01_cv_three_versions")

    # a clean editor leaves without a question
    _nav(page, "My documents")
    assert dialogs == []
    _caption(page, r"CV · 3 versions")
    cards = page.locator('[data-testid="stCheckbox"]').filter(has_text="CV — Senior Python Engineer")
    cards.first.wait_for()
    assert cards.count() == 1  # one card for the job's CV, not three
    _shot(page, artifacts, "versions_02_my_documents")

    # compare: the version before the current one against it, side by side
    page.get_by_role("tab", name=re.compile("Compare")).click()
    table = page.locator("table.orch-diff")
    table.wait_for()
    _shot(page, artifacts, "versions_03_compare")
    assert table.locator("del").count() > 0 and table.locator("ins").count() > 0
    assert "Version 2" in table.locator("th").first.inner_text()
    _shot(page, artifacts, "versions_03_compare")

    # open version 1 and restore it
    page.get_by_role("tab", name=re.compile(r"Versions \(3\)")).click()
    page.get_by_role("button", name="Restore").first.wait_for()
    _shot(page, artifacts, "versions_03b_history")
    page.get_by_role("button", name="Open").last.click()
    page.get_by_text("This is an older version (1); the current one is 3.").wait_for()
    page.get_by_role("button", name="Restore this version").click()
    page.get_by_text("Version 1 restored as version 4.").wait_for()
    _caption(page, r"CV · 4 versions")
    _shot(page, artifacts, "versions_04_restored")

    # rewrite one bullet on the CV page
    _nav(page, "CV")
    _caption(page, r"version 4 of 4 · restored")
    _settle(page)  # the page has finished its run (the match panel comes last): nothing redraws the list
    page.get_by_text("Rewrite one part").click()
    _pick_part(page, "Bullet · Automated weekly reports")
    page.get_by_role("radio", name="More quantified").click()
    _settle(page)
    page.get_by_role("button", name="Rewrite this part").click()
    page.get_by_text(re.compile(r"What the rewrite changed \(version 4 → 5\)")).wait_for()
    diff = page.locator("table.orch-diff")
    assert "Saved 6 hours a week" in diff.locator("ins").first.inner_text()
    editor = page.locator('[class*="st-key-draft_cv_text_"] textarea')
    assert "- Saved 6 hours a week — automated weekly reports with Python and pandas" in editor.input_value()
    _shot(page, artifacts, "versions_05_rewritten")

    # unsaved edits: leaving by the sidebar asks; "stay" keeps the page and the edits
    dialogs.clear()
    answers.append("dismiss")
    editor.click()
    editor.press("Control+End")
    editor.type("\n\nA line I have not saved yet.")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="My documents").click()
    page.wait_for_timeout(500)
    assert dialogs and dialogs[0][0] == "confirm" and "unsaved changes" in dialogs[0][1]
    assert page.get_by_role("heading", name="Draft a CV").is_visible()
    assert editor.input_value().endswith("A line I have not saved yet.")
    _shot(page, artifacts, "versions_06_stayed_with_unsaved_edits")
    # the second time the user agrees to leave
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="My documents").click()
    page.get_by_role("heading", name="My documents").wait_for()
    assert [d[0] for d in dialogs] == ["confirm", "confirm"]

    # closing the tab with unsaved edits asks too (the browser's own question)
    _nav(page, "CV")
    page.get_by_role("heading", name="Your CV").wait_for()
    editor = page.locator('[class*="st-key-draft_cv_text_"] textarea')
    editor.click()
    editor.press("Control+End")
    editor.type(" More.")
    assert page.evaluate("() => window.__orchUnsaved.dirty()")
    dialogs.clear()
    with page.expect_event("close"):
        page.close(run_before_unload=True)  # the dialog is answered ("leave") while this waits
    assert [d[0] for d in dialogs] == ["beforeunload"]
