"""Profile page: edit and save the master CV; import it from pasted text or a DOCX, PDF or
Markdown file; bad files and empty profiles are messages, not crashes."""

from __future__ import annotations

import io

from orchestrator.services.user import profiles
from tests.app.user_support import by_label, messages, open_page


def _key(at) -> str:
    return f"profile_v{at.session_state['profile_version']}"


def _save(at):
    by_label(at.button, "Save profile").click().run()
    assert not at.exception, at.exception
    return at


def test_edited_profile_is_saved(app_env):
    at = open_page("free@example.com", "profile")
    key = _key(at)
    assert at.text_input(key=f"{key}_name").value == "Frida Free"
    at.text_input(key=f"{key}_headline").input("Python Engineer")
    at.text_area(key=f"{key}_exp0_bullets").input("Built a data platform\n- Led two juniors")
    at.checkbox(key=f"{key}_exp1_rm").check()
    at.text_area(key=f"{key}_skills").input("Python, SQL, Kubernetes")
    _save(at)
    assert messages(at) == []
    assert any("Your profile is saved" in s.value for s in at.success)
    saved = profiles.get_profile(app_env, user="free@example.com")
    assert saved.headline == "Python Engineer"
    assert [e.role for e in saved.experience] == ["Data Analyst Intern"]
    assert saved.experience[0].bullets == ["Built a data platform", "Led two juniors"]
    assert saved.skills == ["Python", "SQL", "Kubernetes"]


def test_add_a_role_then_save_it(app_env):
    at = open_page("free@example.com", "profile")
    at.button(key="profile_add_role").click().run()
    key = _key(at)
    at.text_input(key=f"{key}_exp2_role").input("Backend Engineer")
    at.text_input(key=f"{key}_exp2_company").input("Acme")
    _save(at)
    roles = [e.role for e in profiles.get_profile(app_env, user="free@example.com").experience]
    assert roles == ["Data Analyst Intern", "Student Assistant", "Backend Engineer"]


PASTED = """# Pat Example
Platform Engineer

## Summary
Engineer who keeps services fast and boring.

## Experience
### Platform Engineer — Initech
2020-01 – Present
- Cut deploy time from 40 to 8 minutes

## Skills
Go, Kubernetes, Terraform
"""


def test_import_from_pasted_text_fills_the_form_until_saved(app_env):
    at = open_page("free@example.com", "profile")
    at.text_area(key="profile_paste").input(PASTED)
    at.button(key="profile_import_text").click().run()
    assert not at.exception and messages(at) == []
    key = _key(at)
    assert at.text_input(key=f"{key}_name").value == "Pat Example"
    assert any("not saved yet" in i.value for i in at.info)
    assert profiles.get_profile(app_env, user="free@example.com").name == "Frida Free"  # not saved yet
    _save(at)
    saved = profiles.get_profile(app_env, user="free@example.com")
    assert saved.name == "Pat Example" and "Kubernetes" in saved.skills


def test_an_import_can_be_discarded(app_env):
    at = open_page("free@example.com", "profile")
    at.text_area(key="profile_paste").input(PASTED)
    at.button(key="profile_import_text").click().run()
    at.button(key="profile_discard").click().run()
    assert not at.exception
    assert at.text_input(key=f"{_key(at)}_name").value == "Frida Free"
    assert not any("not saved yet" in i.value for i in at.info)


def _docx(text_lines) -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Dana Docx", level=1)
    for line in text_lines:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_import_from_an_uploaded_docx(app_env):
    at = open_page("free@example.com", "profile")
    data = _docx(["Data Engineer", "Experience", "Data Engineer — Globex", "2019 – 2024",
                  "Skills", "Python, Spark, Airflow"])
    at.file_uploader(key="profile_upload").upload("cv.docx", data, "application/octet-stream")
    at.run()
    at.button(key="profile_import_file").click().run()
    assert not at.exception and messages(at) == []
    assert at.text_input(key=f"{_key(at)}_name").value == "Dana Docx"


def test_import_from_a_markdown_file(app_env):
    at = open_page("free@example.com", "profile")
    at.file_uploader(key="profile_upload").upload("cv.md", PASTED.encode(), "text/markdown")
    at.run()
    at.button(key="profile_import_file").click().run()
    assert at.text_input(key=f"{_key(at)}_name").value == "Pat Example"


def test_corrupt_file_is_a_clear_message(app_env):
    at = open_page("free@example.com", "profile")
    at.file_uploader(key="profile_upload").upload("cv.docx", b"PK\x03\x04 broken", "application/octet-stream")
    at.run()
    at.button(key="profile_import_file").click().run()
    assert not at.exception
    assert messages(at) == ["The DOCX file could not be opened (it may be corrupt). Save it again from your "
                            "word processor, or paste the text instead."]
    assert profiles.get_profile(app_env, user="free@example.com").name == "Frida Free"


def test_corrupt_pdf_is_a_clear_message(app_env):
    at = open_page("free@example.com", "profile")
    at.file_uploader(key="profile_upload").upload("cv.pdf", b"%PDF-1.7 nothing here", "application/pdf")
    at.run()
    at.button(key="profile_import_file").click().run()
    assert not at.exception
    assert messages(at) == ["The PDF file could not be read (it may be corrupt). Export it again as a PDF, "
                            "or paste the text instead."]


def test_an_empty_profile_is_not_saved(app_env):
    profiles.save_profile(app_env, user="free@example.com", profile={})
    at = open_page("free@example.com", "profile")
    assert any("Your profile is empty" in i.value for i in at.info)
    _save(at)
    assert messages(at) == ["Add at least your name and some experience or skills before saving."]


def test_import_from_an_uploaded_pdf(app_env):
    from orchestrator.exports import to_pdf

    at = open_page("free@example.com", "profile")
    at.file_uploader(key="profile_upload").upload("cv.pdf", to_pdf(PASTED, "CV"), "application/pdf")
    at.run()
    at.button(key="profile_import_file").click().run()
    assert not at.exception and messages(at) == []
    key = _key(at)
    assert at.text_input(key=f"{key}_name").value == "Pat Example"
    assert "Kubernetes" in at.text_area(key=f"{key}_skills").value
