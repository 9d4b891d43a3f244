"""Applications: the board and the list, moving an application on, follow-ups, notes, cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orchestrator.services.user import applications
from tests.app.user_support import by_label, captions, messages, open_page, saved_job

ME = "free@example.com"


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _submit(at, label: str):
    return by_label([b for b in at.button if b.proto.is_form_submitter], label)


def test_no_jobs_yet_points_to_extraction(app_env):
    at = open_page(ME, "applications")
    assert at.title[0].value == "Applications"
    assert [i.value for i in at.info] == ["No applications yet — every job you extract is saved here, ready to track."]
    assert "Extract a job posting" in [link.label for link in at.get("page_link")]


def test_the_board_shows_each_status_and_the_cost(app_env):
    first, second = saved_job(app_env), saved_job(app_env)
    applications.change_status(app_env, user=ME, job_id=second, status="applied")
    at = open_page(ME, "applications")
    assert messages(at) == []
    text = _markdown(at)
    for header in ("**Saved** · 1", "**Applied** · 1", "**Interviewing** · 0", "**Offer** · 0", "**Rejected** · 0",
                   "**Withdrawn** · 0"):
        assert header in text
    assert "AI cost $0.00" in captions(at)  # the offline engine costs nothing
    assert [m.label for m in at.metric][:3] == ["Applications", "In progress", "Overdue follow-ups"]
    assert [m.value for m in at.metric][:3] == ["2", "1", "0"]
    # the most recently moved is open below; the other has an Open button on its card
    assert at.selectbox(key="apps_open").value == second
    assert [b.key for b in at.button if str(b.key or "").startswith("apps_open_")] == [f"apps_open_{first}"]
    at.button(key=f"apps_open_{first}").click().run()
    assert at.selectbox(key="apps_open").value == first


def test_move_an_application_to_interviewing_with_a_date_and_a_note(app_env):
    job_id = saved_job(app_env)
    at = open_page(ME, "applications")
    by_label(at.selectbox, "Status").set_value("interviewing")
    on = datetime.now(UTC).date() - timedelta(days=2)
    by_label(at.date_input, "On").set_value(on)
    by_label(at.text_input, "Note (optional)").input("first call with Kim")
    _submit(at, "Update status").click().run()
    assert not at.exception and messages(at) == []
    assert [t.value for t in at.toast] == ["Moved to Interviewing."]
    a = applications.get_application(app_env, user=ME, job_id=job_id)
    assert (a.status, a.reached("interviewing")) == ("interviewing", on)
    assert "**Interviewing** · 1" in _markdown(at)
    assert f"{on:%d %b %Y} · **Interviewing** · first call with Kim" in _markdown(at)
    # the same status again changes nothing and says so
    _submit(at, "Update status").click().run()
    assert [i.value for i in at.info] == ["It is already interviewing: nothing changed."]
    assert applications.get_application(app_env, user=ME, job_id=job_id).events == 1


def test_overdue_follow_ups_are_highlighted_and_can_be_cleared(app_env):
    job_id = saved_job(app_env)
    past = datetime.now(UTC).date() - timedelta(days=3)
    applications.set_follow_up(app_env, user=ME, job_id=job_id, on=past)
    at = open_page(ME, "applications")
    assert f":red[:material/alarm: **Follow up {past:%d %b} — overdue**]" in _markdown(at)
    assert [m.value for m in at.metric][2] == "1"
    _submit(at, "Clear").click().run()
    assert not at.exception and "overdue" not in _markdown(at)
    assert applications.get_application(app_env, user=ME, job_id=job_id).follow_up_on is None
    ahead = datetime.now(UTC).date() + timedelta(days=5)
    by_label(at.date_input, "Follow up on").set_value(ahead)
    _submit(at, "Save follow-up").click().run()
    assert f"Follow up {ahead:%d %b}" in _markdown(at) and "overdue" not in _markdown(at)


def test_notes_are_saved_within_the_limit(app_env):
    job_id = saved_job(app_env)
    at = open_page(ME, "applications")
    area = by_label(at.text_area, "Notes")
    assert area.max_chars == app_env.settings.max_field_chars
    area.input("Recruiter: Kim, salary band 70-80k")
    _submit(at, "Save notes").click().run()
    assert not at.exception and [t.value for t in at.toast] == ["Notes saved."]
    assert applications.get_application(app_env, user=ME, job_id=job_id).notes == "Recruiter: Kim, salary band 70-80k"
    assert by_label(at.text_input, "Note (optional)").max_chars == 500


def test_the_list_view_and_what_a_credit_plan_sees(app_env):
    job_id = saved_job(app_env, "paygo@example.com")
    applications.change_status(app_env, user="paygo@example.com", job_id=job_id, status="applied")
    at = open_page("paygo@example.com", "applications")
    assert [m.label for m in at.metric][3] == "Charged"
    assert "charged $0.00" in captions(at)
    at.button_group(key="apps_view").set_value("list").run()
    assert not at.exception
    df = at.dataframe[0].value
    assert list(df.columns)[:8] == ["Job", "Company", "Status", "Follow-up", "Overdue", "AI cost", "Charged", "Saved"]
    assert {"Applied", "Interviewing", "Offer", "Rejected", "Withdrawn", "Notes"} <= set(df.columns)
    assert df.iloc[0]["Status"] == "Applied" and df.iloc[0]["Job"] == "Senior Python Engineer"


def test_a_drafting_button_opens_the_cv_page_for_that_job(app_env):
    first, second = saved_job(app_env), saved_job(app_env)
    at = open_page(ME, "applications")
    at.selectbox(key="apps_open").set_value(first).run()
    cv = [b for b in at.button if str(b.key or "").startswith(f"apps_draft_{first}_")][0]
    cv.click().run()
    assert not at.exception
    assert at.session_state["draft_job_id"] == first != second
