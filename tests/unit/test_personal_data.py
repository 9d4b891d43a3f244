"""Redaction of personal data before a prompt or answer is kept: the user's own details and
anything shaped like contact data go, years, dates, amounts and plain numbers stay, and it runs in
linear time on hostile text."""

from __future__ import annotations

import time

import pytest

from orchestrator.personal_data import Identity, Redactor, redact
from orchestrator.schemas import Profile

CV = """# MARÍA JOSÉ GARCÍA-LÓPEZ
Senior Data Engineer · Calle de Alcalá 48, 3º B, 28014 Madrid
+34 612 345 678 · maria.garcia@correo.example · linkedin.com/in/mariajgarcia · https://github.com/mjgarcia
Portfolio: https://mariagarcia.dev/projects

## Summary
María José builds data platforms. Reach María on 612 345 678 or at maria.garcia@correo.example.

## Experience
### Data Engineer — Cabify (2019-03 – 2023-02)
- Cut pipeline costs by 35% (€120.000 a year) across 1.500.000 daily events
- Led 4 engineers; on call 24/7 in 2021 and 2022

## Education
M.Sc. Computer Science, Universidad Politécnica de Madrid, 2015 – 2017

Best regards,
María José García-López
"""

PROFILE = Profile(name="María José García-López", email="maria.garcia@correo.example", phone="+34 612 345 678",
                  location="Calle de Alcalá 48, 3º B, 28014 Madrid",
                  links=["https://www.linkedin.com/in/mariajgarcia", "github.com/mjgarcia", "https://mariagarcia.dev"])


@pytest.fixture
def clean() -> Redactor:
    return Redactor(Identity.of(name="Maria Garcia", email="mjg@signin.example", profile=PROFILE))


def test_a_cv_loses_every_contact_detail_and_keeps_its_substance(clean):
    out = clean(CV)
    for gone in ("María", "García", "maria.garcia@", "612 345 678", "Alcalá 48", "28014",
                 "linkedin.com/in/mariajgarcia", "github.com/mjgarcia", "mariagarcia.dev"):
        assert gone not in out, gone
    assert out.startswith("# [name]\nSenior Data Engineer · [address]")
    assert "[phone] · [email] · [link] · [link]" in out
    assert "Portfolio: [link]" in out
    assert "Reach [name] on [phone] or at [email]." in out
    assert out.rstrip().endswith("Best regards,\n[name]")
    for kept in ("Cabify (2019-03 – 2023-02)", "35% (€120.000 a year)", "1.500.000 daily events",
                 "24/7 in 2021 and 2022", "Universidad Politécnica de Madrid, 2015 – 2017", "Madrid"):
        assert kept in out, kept


def test_the_profile_json_a_cv_prompt_carries_is_redacted(clean):
    import json

    prompt = json.dumps(PROFILE.model_dump(mode="json"), ensure_ascii=False, indent=1)
    data = json.loads(clean(prompt))  # still valid JSON
    assert (data["name"], data["email"], data["phone"], data["location"]) == (
        "[name]", "[email]", "[phone]", "[address]")
    assert data["links"] == ["[link]", "[link]", "[link]"]


@pytest.mark.parametrize("phone", [
    "+49 30 1234 5678", "+49 (0)30 1234-5678", "+1 (415) 555-0132", "+44 20 7946 0958", "+33 1 23 45 67 89",
    "0049 30 12345678", "(415) 555-0132", "415-555-0132", "415.555.0132", "030 1234 5678", "030/1234567",
    "07911 123456", "07911123456", "+81-3-1234-5678", "+91 98765 43210",
])
def test_phone_numbers_in_many_formats_are_redacted(phone):
    assert redact(f"Call me on {phone}, thanks.") == "Call me on [phone], thanks."


@pytest.mark.parametrize("text", [
    "2019-2023", "2019 - 2023", "03/2020 - 05/2022", "03.2020-05.2022", "15.03.2024", "2024-03-15",
    "2015 – 2017", "Salary €70,000 – €90,000", "70.000 - 90.000 EUR", "$120 000 per year", "1 500 000 users",
    "1.500.000 events", "12345678 rows", "order 98765432", "192.168.100.200", "version 1.2.3",
    "Top 10, 20 or 30", "30 days of vacation", "2M meter readings",
])
def test_years_dates_amounts_and_plain_numbers_stay(text):
    assert redact(text) == text


def test_any_email_and_personal_profile_link_goes_but_company_links_stay():
    text = ("Apply to jobs@acme.example or see https://acme.example/careers and netflix.com/jobs. "
            "Hiring manager: https://de.linkedin.com/in/someone-else/, gitlab.com/ops-lead, x.com/handle, "
            "medium.com/@writer and stackoverflow.com/users/123/dev.")
    assert redact(text) == (
        "Apply to [email] or see https://acme.example/careers and netflix.com/jobs. "
        "Hiring manager: [link], [link], [link], [link] and [link].")


def test_names_match_whatever_the_case_but_name_words_only_as_written():
    r = Redactor(Identity.of(name="Frida Free", profile={"name": "Frida Free"}))
    assert r("FRIDA FREE\nfrida  free wrote. Dear Frida, Ms Free") == "[name]\n[name] wrote. Dear [name], Ms [name]"
    assert r("The freemium plan is free of charge.") == "The freemium plan is free of charge."
    assert r("Fridays are free.") == "Fridays are free."


def test_a_user_named_like_a_placeholder_does_not_break_the_placeholders():
    r = Redactor(Identity.of(name="Link Name", email="link@example.com"))
    assert r("Link Name (link@example.com)") == "[name] ([email])"


def test_identity_comes_from_the_user_row_and_the_profile():
    ident = Identity.of(name="Ada Admin", email="admin@example.com",
                        profile={"name": "Ada Lovelace", "email": "ada@home.example", "phone": " +44 20 7946 0958 ",
                                 "location": "London", "links": ["https://ada.dev", ""]})
    assert ident.names == ("Ada Admin", "Ada Lovelace")
    assert ident.emails == ("admin@example.com", "ada@home.example")
    assert (ident.phones, ident.addresses, ident.links) == (("+44 20 7946 0958",), ("London",), ("https://ada.dev",))
    assert Identity.of(profile=None) == Identity()
    assert redact(None) is None and redact("") == ""


HOSTILE = {
    "word characters": "x" * 100_000,
    "dotted": "a." * 50_000,
    "address at the end": "x" * 99_000 + "@example.com",
    "at signs": "a@" * 50_000,
    "a domain without end": "x@" + "a." * 50_000,
    "dashes and digits": "1-" * 50_000,
    "digits and spaces": "1 " * 50_000,
    "digits": "7" * 100_000,
    "plus signs": "+1" * 50_000,
    "brackets": "(1)" * 33_000,
    "commas": "a," * 50_000,
    "spaces": " " * 100_000,
    "one long link": "https://" + "a" * 99_000,
    "a long profile link": "linkedin.com/in/" + "a" * 99_000,
    "subdomains": "de." * 33_000,
    "the name over and over": "Frida " * 17_000,
    "the name then spaces": "Frida" + " " * 100_000,
    "real contact lines": "Frida Free +49 30 1234 5678 free@example.com linkedin.com/in/x 2019-2023 " * 1300,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_redaction_is_linear_on_hostile_text(text):
    r = Redactor(Identity.of(name="Frida Free", email="free@example.com",
                             profile={"phone": "+49 30 1234 5678", "location": "Hauptstraße 12, 10115 Berlin",
                                      "links": ["https://linkedin.com/in/frida-free", "https://frida.dev"]}))
    t0 = time.perf_counter()
    r(text)
    assert time.perf_counter() - t0 < 0.5


def test_links_are_found_whatever_their_case():
    r = Redactor(Identity.of(profile={"links": ["https://Frida.dev"]}))
    assert r("See HTTPS://WWW.LINKEDIN.COM/IN/FRIDA and FRIDA.DEV/work.") == "See [link] and [link]."
    assert r("No links here, only linkedin and github.") == "No links here, only linkedin and github."
