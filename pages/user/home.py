"""Home: where the user stands (profile, jobs, documents, quota) and where to go next."""

import streamlit as st

from orchestrator.safe_markdown import plain_label
from orchestrator.services.user import account, documents, profiles
from orchestrator.tasks import TASKS, document_tasks
from ui.context import get_orchestrator, require_user
from ui.user_common import (
    ICONS,
    PAGE_DOCUMENTS,
    PAGE_PLAN,
    PAGE_PROFILE,
    call,
    fmt_usd,
    show_flash,
)

user = require_user()
orch = get_orchestrator()
show_flash()

st.title(f"Welcome, {plain_label(user.name.split(' ')[0] or user.email)}", anchor=False)
st.caption("Turn any job posting into a structured summary, then a tailored CV and cover letter.")

profile = call(lambda: profiles.get_profile(orch, user=user.id))
jobs = call(lambda: documents.list_jobs(orch, user=user.id, limit=200)) or []
docs = call(lambda: documents.list_documents(orch, user=user.id, limit=200)) or []
status = call(lambda: account.account_status(orch, user=user.id))

posting_task = next(t for t in TASKS.values() if t.output == "job")
steps = [
    ("Your profile", PAGE_PROFILE, ICONS["profile"], profile is not None and not profile.is_empty(),
     "Your master CV, imported from a file or typed in.", "Edit profile", "Fill in your profile"),
    ("A job posting", posting_task.text.page, posting_task.text.icon, bool(jobs),
     f"{len(jobs)} saved job{'s' if len(jobs) != 1 else ''}." if jobs else posting_task.text.blurb,
     posting_task.text.again, posting_task.text.nav),
] + [
    (f"Your {t.text.noun}", t.text.page, t.text.icon, any(d.kind == t.document_kind for d in docs), t.text.blurb,
     t.text.again, t.text.title)
    for t in document_tasks()
]
steps = [(f"{i}. {title}", *rest) for i, (title, *rest) in enumerate(steps, start=1)]
for col, (title, page, icon, done, text, again, first) in zip(st.columns(len(steps)), steps, strict=True):
    with col.container(border=True, height="stretch"):
        st.markdown(f"**{title}**" + (" :green[:material/check_circle:]" if done else ""))
        st.caption(text)
        st.page_link(page, label=again if done else first, icon=icon)

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Recent documents", anchor=False)
    if not docs:
        st.caption("None yet. Once you have a saved job, draft a CV or a letter for it.")
    for d in docs[:5]:
        st.markdown(f"- **{plain_label(d.title)}** · {d.created_at:%d %b %Y}")
    if docs:
        st.page_link(PAGE_DOCUMENTS, label="All my documents", icon=ICONS["documents"])
with right:
    st.subheader("Your plan", anchor=False)
    if status is not None:
        line = status.requests_today
        st.markdown(f"**{status.plan_name}**")
        if line.unlimited:
            st.caption("No daily request limit.")
        else:
            st.progress(line.fraction_used, text=f"{line.remaining:,} of {line.limit:,} requests left today")
        if status.uses_credit:
            st.caption(f"Credit balance: {fmt_usd(status.credit_available_usd)}")
        st.page_link(PAGE_PLAN, label="Plan and usage", icon=ICONS["plan"])
