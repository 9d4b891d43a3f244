"""Editable forms for the two structured things a user owns: a job posting and a profile.

Each form returns the edited pydantic object when submitted (else None). Widget
keys carry a caller-chosen ``key`` (with a version when the caller reloads the
data), so a fresh import or a different job never shows stale widget values.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import streamlit as st
from pydantic import ValidationError

from orchestrator.limits import NAME_CHARS, TITLE_CHARS
from orchestrator.safe_markdown import plain_label
from orchestrator.schemas import (
    EMPLOYMENT_TYPES,
    REMOTE_MODES,
    SALARY_PERIODS,
    SENIORITIES,
    Education,
    Experience,
    JobPosting,
    Profile,
    SalaryRange,
)

NICE = {
    "onsite": "On-site", "hybrid": "Hybrid", "remote": "Remote", "unknown": "Not stated",
    "full_time": "Full-time", "part_time": "Part-time", "contract": "Contract", "internship": "Internship",
    "temporary": "Temporary", "intern": "Intern", "junior": "Junior", "mid": "Mid-level",
    "senior": "Senior", "lead": "Lead", "principal": "Principal", "executive": "Executive",
    "hour": "per hour", "day": "per day", "week": "per week", "month": "per month", "year": "per year",
    "": "—",
}


def _limit(what: str) -> int:
    """What the services accept (orchestrator/limits.py): one ``field``, or a whole ``job`` or
    ``profile`` (a list typed into one box can hold at most that)."""
    from ui.context import get_orchestrator

    return getattr(get_orchestrator().settings, f"max_{what}_chars")


def nice(value: str | None) -> str:
    return NICE.get(value or "", (value or "").replace("_", " ").capitalize())


def _lines(text: str) -> list[str]:
    return [x.strip().lstrip("-•*").strip() for x in (text or "").splitlines() if x.strip().lstrip("-•*").strip()]


def _commas(text: str) -> list[str]:
    seen, out = set(), []
    for item in (text or "").replace("\n", ",").split(","):
        item = item.strip()
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out


def _decimal(text: str, what: str) -> Decimal | None:
    cleaned = (text or "").strip().replace(",", "").replace("_", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{what} must be a number, like 65000.") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{what} must be a positive number.")
    return value


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(x) for x in first["loc"]) or "the form"
    return f"Please check {where}: {first['msg']}."


def _index(options: tuple[str, ...] | list[str], value: str | None) -> int:
    return options.index(value) if value in options else 0


# ---------------------------------------------------------------- job posting


def job_posting_form(posting: JobPosting, *, key: str, submit_label: str = "Save changes") -> JobPosting | None:
    """The extracted posting as a form; returns the corrected posting on submit."""
    salary = posting.salary or SalaryRange()
    with st.form(f"{key}_form", border=True):
        st.markdown("**The job**")
        c1, c2, c3 = st.columns([2, 2, 2])
        title = c1.text_input("Job title", posting.title, key=f"{key}_title", max_chars=TITLE_CHARS)
        company = c2.text_input("Company", posting.company or "", key=f"{key}_company", max_chars=TITLE_CHARS)
        location = c3.text_input("Location", posting.location or "", key=f"{key}_location",
                                 max_chars=TITLE_CHARS)
        c1, c2, c3 = st.columns(3)
        remote = c1.selectbox("Remote mode", REMOTE_MODES, index=_index(REMOTE_MODES, posting.remote_mode),
                              format_func=nice, key=f"{key}_remote")
        employment = c2.selectbox("Employment type", EMPLOYMENT_TYPES, format_func=nice, key=f"{key}_employment",
                                  index=_index(EMPLOYMENT_TYPES, posting.employment_type))
        seniority = c3.selectbox("Seniority", SENIORITIES, index=_index(SENIORITIES, posting.seniority),
                                 format_func=nice, key=f"{key}_seniority")
        contact = st.text_input("Contact person (optional)", posting.contact or "", key=f"{key}_contact",
                                max_chars=TITLE_CHARS, help="Who to address in the cover letter, e.g. Ms Jane Smith.")
        st.markdown("**Salary**")
        c1, c2, c3, c4 = st.columns(4)
        s_min = c1.text_input("Minimum", "" if salary.min is None else f"{salary.min:f}", key=f"{key}_smin")
        s_max = c2.text_input("Maximum", "" if salary.max is None else f"{salary.max:f}", key=f"{key}_smax")
        currency = c3.text_input("Currency", salary.currency or "", max_chars=3, key=f"{key}_cur",
                                 help="ISO code, e.g. EUR, USD, GBP")
        periods = ("", *SALARY_PERIODS)
        period = c4.selectbox("Period", periods, index=_index(periods, salary.period), format_func=nice,
                              key=f"{key}_period")
        st.markdown("**Details** — one item per line")
        skills = st.text_area("Skills (comma-separated)", ", ".join(posting.skills), height=68,
                              key=f"{key}_skills", max_chars=_limit('job'))
        c1, c2 = st.columns(2)
        requirements = c1.text_area("Requirements", "\n".join(posting.requirements), height=150,
                                    key=f"{key}_req", max_chars=_limit('job'))
        responsibilities = c2.text_area("Responsibilities", "\n".join(posting.responsibilities), height=150,
                                        key=f"{key}_resp", max_chars=_limit('job'))
        c1, c2 = st.columns(2)
        benefits = c1.text_area("Benefits", "\n".join(posting.benefits), height=110, key=f"{key}_benefits",
                                max_chars=_limit('job'))
        summary = c2.text_area("Summary", posting.summary or "", height=110, key=f"{key}_summary",
                               max_chars=_limit('field'))
        submitted = st.form_submit_button(submit_label, type="primary", icon=":material/save:")
    if not submitted:
        return None
    try:
        amounts = _decimal(s_min, "The minimum salary"), _decimal(s_max, "The maximum salary")
        if amounts[0] is not None and amounts[1] is not None and amounts[0] > amounts[1]:
            raise ValueError("The minimum salary is higher than the maximum.")
        has_salary = any(amounts) or currency.strip() or period
        return JobPosting(
            title=title, company=company.strip() or None, location=location.strip() or None,
            remote_mode=remote, employment_type=employment, seniority=seniority,
            salary=SalaryRange(min=amounts[0], max=amounts[1], currency=currency.strip() or None,
                               period=period or None) if has_salary else None,
            skills=_commas(skills), requirements=_lines(requirements), responsibilities=_lines(responsibilities),
            benefits=_lines(benefits), summary=summary.strip() or None, contact=contact.strip() or None,
        )
    except ValidationError as exc:
        st.error("The job title cannot be empty." if "title" in str(exc) else _first_error(exc))
    except ValueError as exc:
        st.error(str(exc))
    return None


# -------------------------------------------------------------------- profile


def _experience_fields(exp: Experience, key: str, number: int) -> Experience | None:
    with st.container(border=True):
        head, drop = st.columns([5, 1], vertical_alignment="bottom")
        head.markdown(f"**Role {number}**" + (f" · {plain_label(exp.role)}" if exp.role else ""))
        remove = drop.checkbox("Remove", key=f"{key}_rm")
        c1, c2 = st.columns(2)
        role = c1.text_input("Role", exp.role, key=f"{key}_role", max_chars=_limit('field'))
        company = c2.text_input("Company", exp.company, key=f"{key}_company", max_chars=_limit('field'))
        c1, c2, c3 = st.columns(3)
        start = c1.text_input("Start", exp.start or "", placeholder="2021-05", key=f"{key}_start",
                              max_chars=_limit('field'))
        end = c2.text_input("End", exp.end or "", placeholder="Present", key=f"{key}_end", max_chars=_limit('field'))
        location = c3.text_input("Location", exp.location or "", key=f"{key}_loc", max_chars=_limit('field'))
        bullets = st.text_area("Achievements (one per line)", "\n".join(exp.bullets), height=110,
                               key=f"{key}_bullets", max_chars=_limit('profile'))
    if remove or not (role.strip() or company.strip() or bullets.strip()):
        return None
    return Experience(role=role.strip(), company=company.strip(), location=location.strip() or None,
                      start=start.strip() or None, end=end.strip() or None, bullets=_lines(bullets))


def _education_fields(edu: Education, key: str, number: int) -> Education | None:
    with st.container(border=True):
        head, drop = st.columns([5, 1], vertical_alignment="bottom")
        head.markdown(f"**Education {number}**")
        remove = drop.checkbox("Remove", key=f"{key}_rm")
        c1, c2, c3, c4 = st.columns([3, 3, 1, 1])
        degree = c1.text_input("Degree", edu.degree, key=f"{key}_degree", max_chars=_limit('field'))
        institution = c2.text_input("Institution", edu.institution, key=f"{key}_inst", max_chars=_limit('field'))
        start = c3.text_input("Start", edu.start or "", key=f"{key}_start", max_chars=_limit('field'))
        end = c4.text_input("End", edu.end or "", key=f"{key}_end", max_chars=_limit('field'))
    if remove or not (degree.strip() or institution.strip()):
        return None
    return Education(degree=degree.strip(), institution=institution.strip(), start=start.strip() or None,
                     end=end.strip() or None)


def profile_form(profile: Profile, *, key: str, extra_roles: int = 0, extra_education: int = 0) -> Profile | None:
    """The master CV as a form; ``extra_*`` add empty entries (the page's "Add" buttons)."""
    roles = list(profile.experience) + [Experience() for _ in range(extra_roles)]
    schools = list(profile.education) + [Education() for _ in range(extra_education)]
    with st.form(f"{key}_form", border=False):
        st.subheader("About you", divider="gray")
        c1, c2 = st.columns(2)
        name = c1.text_input("Full name", profile.name, key=f"{key}_name", max_chars=NAME_CHARS)
        headline = c2.text_input("Headline", profile.headline or "", placeholder="Senior Backend Engineer",
                                 key=f"{key}_headline", max_chars=_limit('field'))
        c1, c2, c3 = st.columns(3)
        email = c1.text_input("Email", profile.email or "", key=f"{key}_email", max_chars=_limit('field'))
        phone = c2.text_input("Phone", profile.phone or "", key=f"{key}_phone", max_chars=_limit('field'))
        location = c3.text_input("Location", profile.location or "", key=f"{key}_location", max_chars=_limit('field'))
        links = st.text_input("Links (comma-separated)", ", ".join(profile.links), key=f"{key}_links",
                              max_chars=_limit('field'),
                              placeholder="https://linkedin.com/in/you, https://github.com/you")
        summary = st.text_area("Summary", profile.summary or "", height=100, key=f"{key}_summary",
                               placeholder="Two or three sentences about what you do best.",
                               max_chars=_limit('field'))
        st.subheader("Experience", divider="gray")
        if not roles:
            st.caption("No roles yet: use “Add a role” below the form.")
        experience = [_experience_fields(exp, f"{key}_exp{i}", i + 1) for i, exp in enumerate(roles)]
        st.subheader("Education", divider="gray")
        education = [_education_fields(edu, f"{key}_edu{i}", i + 1) for i, edu in enumerate(schools)]
        st.subheader("Skills and languages", divider="gray")
        skills = st.text_area("Skills (comma-separated)", ", ".join(profile.skills), height=80, key=f"{key}_skills",
                              max_chars=_limit('profile'))
        languages = st.text_input("Languages (comma-separated)", ", ".join(profile.languages),
                                  placeholder="English (native), German (B2)", key=f"{key}_languages",
                                  max_chars=_limit('field'))
        submitted = st.form_submit_button("Save profile", type="primary", icon=":material/save:")
    if not submitted:
        return None
    try:
        return Profile(name=name.strip(), headline=headline.strip() or None, email=email.strip() or None,
                       phone=phone.strip() or None, location=location.strip() or None, links=_commas(links),
                       summary=summary.strip() or None, experience=[e for e in experience if e],
                       education=[e for e in education if e], skills=_commas(skills),
                       languages=_commas(languages))
    except ValidationError as exc:
        st.error(_first_error(exc))
        return None
