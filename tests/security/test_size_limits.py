"""Every persisted text has a size limit, enforced in the services (not only in the forms):
a 20 MB job edit or profile is refused quickly with a message naming the field and the limit."""

from __future__ import annotations

import time

import pytest

from orchestrator.errors import InputRejected
from orchestrator.schemas import Experience, Profile
from orchestrator.services.admin import policy, users
from orchestrator.services.user import documents, profiles
from tests.support import operator

MB20 = "x" * (20 * 1024 * 1024)


@pytest.fixture
def job(demo_users):
    result = demo_users.run("extract_job", user="free@example.com",
                            text="Data Engineer at Acme GmbH, Berlin. Python, SQL and dbt. Full-time.")
    return documents.get_job(demo_users, user="free@example.com", job_id=result.job_id)


def _refused(call, match: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(InputRejected, match=match):
        call()
    assert time.monotonic() - t0 < 5


def test_a_20_mb_job_field_is_refused(demo_users, job):
    posting = job.posting.model_copy(update={"summary": MB20})
    _refused(lambda: documents.update_job(demo_users, user="free@example.com", job_id=job.id, posting=posting),
             r"field 'summary' is 20,971,520 characters long; the limit is 10,000")
    assert documents.get_job(demo_users, user="free@example.com", job_id=job.id).posting.summary != MB20


def test_a_job_with_too_many_list_entries_or_too_much_in_all_is_refused(demo_users, job):
    many = job.posting.model_copy(update={"skills": [f"skill {i}" for i in range(201)]})
    _refused(lambda: documents.update_job(demo_users, user="free@example.com", job_id=job.id, posting=many),
             r"list 'skills' has 201 entries; the limit is 200")
    bulky = job.posting.model_copy(update={"requirements": ["r" * 9_000] * 12})
    _refused(lambda: documents.update_job(demo_users, user="free@example.com", job_id=job.id, posting=bulky),
             r"The job is .* characters long in all; the limit is 100,000")
    long_title = job.posting.model_copy(update={"title": "T" * 300})
    _refused(lambda: documents.update_job(demo_users, user="free@example.com", job_id=job.id,
                                          posting=long_title), r"job title is 300 characters long")


def test_a_20_mb_profile_is_refused(demo_users):
    profile = Profile(name="Ada", summary=MB20)
    _refused(lambda: profiles.save_profile(demo_users, user="free@example.com", profile=profile),
             r"profile's field 'summary' is 20,971,520 characters")
    bullets = Profile(name="Ada", experience=[Experience(role="Dev", company="Acme", bullets=["b" * 10_001])])
    _refused(lambda: profiles.save_profile(demo_users, user="free@example.com", profile=bullets),
             r"field 'experience 1, bullets 1' is 10,001 characters")
    assert profiles.get_profile(demo_users, user="free@example.com").summary != MB20


def test_a_profile_within_the_limits_is_saved_as_given(demo_users):
    profile = Profile(name="Ada Lovelace", summary="s" * 10_000, skills=[f"skill {i}" for i in range(200)])
    saved = profiles.save_profile(demo_users, user="free@example.com", profile=profile)
    assert profiles.get_profile(demo_users, user="free@example.com") == saved == profile


def test_a_document_edit_over_the_limit_is_refused(demo_users, job):
    doc = demo_users.run("cover_letter", user="free@example.com", job_id=job.id)
    _refused(lambda: documents.update_document(demo_users, user="free@example.com", document_id=doc.document_id,
                                               content=MB20), r"The document is 20,971,520 characters long")


def test_admin_notes_and_names_are_bounded(demo_users):
    _refused(lambda: users.top_up(demo_users, email="paygo@example.com", amount_usd="1", note="n" * 501,
                                  actor=operator()), r"The note is 501 characters long; the limit is 500")
    _refused(lambda: users.add_user(demo_users, email="long@example.com", plan="pro", name="N" * 129,
                                    actor=operator()), r"The name is 129 characters long")
    _refused(lambda: policy.save(demo_users, {}, note="n" * 2_001, actor=operator()),
             r"The note is 2,001 characters long")


def test_the_forms_show_the_limits(app_env):
    """The job form caps its fields at the same limits the service enforces."""
    from tests.app.user_support import open_page

    at = open_page("free@example.com", "extract")
    at.text_area(key="extract_text").input("Data Engineer at Acme GmbH, Berlin. Python, SQL and dbt. Full-time.")
    at.button(key="extract_go").click().run()
    keys = [w.key for w in (*at.text_input, *at.text_area) if w.key]
    assert at.text_input(key=next(k for k in keys if k.endswith("_title"))).proto.max_chars == 256
    assert at.text_area(key=next(k for k in keys if k.endswith("_summary"))).proto.max_chars == 10_000
