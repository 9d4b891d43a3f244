"""Personal data kept at home, in the app: the admin turns placeholders off and on per plan on the
Plans & quotas page (audited, shown in the plans table), and the user sees what their plan does on
their Plan page and wherever the drafting pages place ``privacy_note``."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from orchestrator.services.admin import plans
from orchestrator.services.reports.logs import audit_entries
from tests.app.admin_helpers import no_errors, page_as
from tests.app.user_support import captions, open_page
from tests.support import operator
from ui.user_privacy import OFF, ON


def redacts(orch, code: str) -> bool:
    return next(p for p in plans.list_plans(orch) if p.code == code).redact_personal_data


def test_the_plans_page_switch_turns_placeholders_off_and_on_audited(app_env):
    at = page_as(app_env, "plans")
    table = at.dataframe[0].value.set_index("Code")
    assert set(table["Personal data to providers"]) == {"placeholders"}  # on for every plan by default
    assert at.toggle(key="redact:freemium").value is True
    at.toggle(key="redact:freemium").set_value(False).run()
    no_errors(at)
    assert not redacts(app_env, "freemium") and redacts(app_env, "paygo")
    assert at.dataframe[0].value.set_index("Code").loc["freemium", "Personal data to providers"] == "sent as is"
    assert any("as they are" in s.value for s in at.success)
    entry = audit_entries(app_env, action="plan.set_limits").rows[0]
    assert (entry.actor, entry.target_id, entry.before["redact_personal_data"],
            entry.after["redact_personal_data"]) == ("admin@example.com", "freemium", True, False)
    at.toggle(key="redact:freemium").set_value(True).run()
    no_errors(at)
    assert redacts(app_env, "freemium") and len(audit_entries(app_env, action="plan.set_limits").rows) == 2


def test_the_switch_follows_a_change_made_elsewhere_and_never_undoes_it(app_env):
    at = page_as(app_env, "plans")
    plans.set_limits(app_env, code="freemium", redact_personal_data="off", actor=operator())  # the CLI, meanwhile
    at.text_input(key="ovr_query").input("free@").run()
    no_errors(at)
    assert at.toggle(key="redact:freemium").value is False
    assert not redacts(app_env, "freemium")
    assert len(audit_entries(app_env, action="plan.set_limits").rows) == 1


def test_the_user_sees_what_their_plan_does_with_their_details(app_env):
    assert ON in captions(open_page("free@example.com", "plan"))
    plans.set_limits(app_env, code="freemium", redact_personal_data=False, actor=operator())
    text = captions(open_page("free@example.com", "plan"))
    assert OFF in text and ON not in text
    assert ON in captions(open_page("paygo@example.com", "plan"))  # another plan keeps it on


def _note_page(flag):
    from ui.user_privacy import privacy_note

    privacy_note(flag)


def test_privacy_note_says_it_in_one_line_for_any_plan_object():
    from types import SimpleNamespace

    for plan, want in ((True, ON), (False, OFF), (SimpleNamespace(redacts_personal_data=False), OFF),
                       (SimpleNamespace(redact_personal_data=True), ON), (SimpleNamespace(), ON)):
        at = AppTest.from_function(_note_page, args=(plan,), default_timeout=10).run()
        assert not at.exception
        assert [c.value for c in at.caption] == [f":material/privacy_tip: {want}"]
