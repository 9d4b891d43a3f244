"""Downloads name the candidate as their author: the profile's name, else the account's name,
else its e-mail; never the app (both databases)."""

from __future__ import annotations

import io

from sqlalchemy import select

from db.models import User
from orchestrator import exports
from orchestrator.services.admin.users import add_user
from orchestrator.services.user.profiles import document_author, get_profile, save_profile
from tests.support import operator


def test_the_author_is_the_profile_s_name_then_the_account_s(demo_users):
    orch = demo_users
    assert document_author(orch, user="free@example.com") == "Frida Free"
    profile = get_profile(orch, user="free@example.com").model_copy(update={"name": "Frida Früh-Fischer"})
    save_profile(orch, user="free@example.com", profile=profile)
    assert document_author(orch, user="free@example.com") == "Frida Früh-Fischer"

    add_user(orch, email="named@example.com", plan="freemium", name="Noor Named", actor=operator())
    assert document_author(orch, user="named@example.com") == "Noor Named"  # no profile yet
    add_user(orch, email="anon@example.com", plan="freemium", actor=operator())
    with orch.db.write() as s:  # an account without a name (older rows, the CLI) is named by its e-mail
        s.scalars(select(User).where(User.email == "anon@example.com")).one().name = ""
    assert document_author(orch, user="anon@example.com") == "anon@example.com"


def test_a_download_carries_it(demo_users):
    import docx
    from pypdf import PdfReader

    author = document_author(demo_users, user="free@example.com")
    text = "# Frida Free\n\n## Profile\nJunior Data Analyst."
    word = docx.Document(io.BytesIO(exports.export(text, fmt="docx", title="CV", author=author)))
    assert word.core_properties.author == "Frida Free"
    pdf = PdfReader(io.BytesIO(exports.export(text, fmt="pdf", title="CV", author=author)))
    assert pdf.metadata["/Author"] == "Frida Free"
