"""Extract a job posting from pasted text, a screenshot or a link into structured,
editable fields; the result is saved to "My jobs" by the pipeline."""

from dataclasses import dataclass
from decimal import Decimal

import streamlit as st

from orchestrator.errors import NotFound
from orchestrator.origin import APP
from orchestrator.safe_markdown import plain_label
from orchestrator.services.user import documents
from ui.context import get_orchestrator, require_user
from ui.user_common import (
    drafting_links,
    ICONS,
    PAGE_DOCUMENTS,
    call,
    flash,
    fmt_when,
    run_step,
    served_by,
    show_error,
    show_flash,
)
from ui.user_forms import job_posting_form, nice
from ui.user_match import match_panel


@dataclass(frozen=True)
class Extracted:
    job_id: int
    label: str
    cost_usd: Decimal | None
    cached: bool


user = require_user()
orch = get_orchestrator()
state = st.session_state
show_flash()

st.title("Extract a job posting", anchor=False)
st.caption("Paste a posting, upload a screenshot or give a link. We pull out the title, company, salary, "
           "skills and requirements, save it to **My jobs**, and you can correct anything before drafting.")


def _extract(step: str, **source) -> None:
    result = run_step(step, lambda: orch.run("extract_job", user=user.id, origin=APP, **source),
                      done="Posting extracted and saved", failed="Extraction failed")
    if result is not None:
        state["extracted"] = Extracted(result.job_id, result.label, result.cost_usd, result.cached)
        flash(f"Saved to My jobs: {result.data.title}", ICONS["extract"])
        st.rerun()


tab_text, tab_image, tab_url = st.tabs([":material/notes: Paste text", ":material/image: Screenshot",
                                        ":material/link: Link"])
with tab_text:
    text = st.text_area("Job posting", height=240, key="extract_text",
                        placeholder="Paste the whole posting here: title, company, location, requirements…")
    if st.button("Extract", type="primary", key="extract_go", icon=ICONS["extract"]):
        _extract("Extracting the posting…", text=text)
with tab_image:
    st.caption(f"A PNG, JPEG or WebP screenshot of the posting, up to {orch.settings.max_image_bytes // 1_048_576} MB."
               " It is read on this server by the offline engine's text recognition (sharp text reads best;"
               " € and most accents are not read), or by a vision-capable AI provider when your plan has one.")
    image = st.file_uploader("Screenshot", type=["png", "jpg", "jpeg", "webp"], key="extract_image",
                             max_upload_size=orch.settings.max_image_bytes // 1_048_576 + 2)
    if image is not None:
        # The preview is a small thumbnail made only after the upload passed the pipeline's own
        # checks (a huge or broken image is refused from its header, never decoded here), kept
        # per upload so that reruns do not decode it again.
        from orchestrator import uploads
        from orchestrator.errors import InputRejected

        shown = state.get("extract_preview")
        if shown is None or shown[0] != image.file_id:
            try:
                shown = (image.file_id, uploads.preview(image.getvalue(), max_bytes=orch.settings.max_image_bytes,
                                                        max_pixels=orch.settings.max_image_pixels), None)
            except InputRejected as exc:
                shown = (image.file_id, None, str(exc))
            state["extract_preview"] = shown
        if shown[1] is not None:
            st.image(shown[1], width=320)
        else:
            st.caption(f":material/broken_image: No preview: {shown[2]}")
    if st.button("Extract from screenshot", type="primary", key="extract_image_go", icon=ICONS["extract"],
                 disabled=image is None):
        _extract("Reading the screenshot…", image=image.getvalue())
with tab_url:
    st.caption("A public http(s) link to the posting. Pages that need JavaScript or a login cannot be read: "
               "paste their text instead.")
    url = st.text_input("Link to the posting", key="extract_url", placeholder="https://careers.example.com/jobs/123")
    if st.button("Fetch and extract", type="primary", key="extract_url_go", icon=ICONS["extract"]):
        if not url.strip():
            st.error("Enter a link first.", icon=ICONS["bad_input"])
        else:
            _extract("Fetching the page and extracting the posting…", url=url.strip())

last: Extracted | None = state.get("extracted")
if last is None:
    jobs = call(lambda: documents.list_jobs(orch, user=user.id, limit=3)) or []
    if jobs:
        st.divider()
        st.markdown("**Recently saved**")
        for job in jobs:
            st.markdown("- " + plain_label(job.title + (f" · {job.company}" if job.company else ""))
                        + f" · {job.created_at:%d %b %Y}")
        st.page_link(PAGE_DOCUMENTS, label="All my jobs and documents", icon=ICONS["documents"])
    st.stop()

try:
    job = documents.get_job(orch, user=user.id, job_id=last.job_id)
except NotFound:  # deleted in My documents meanwhile
    state.pop("extracted", None)
    st.rerun()
except Exception as exc:  # noqa: BLE001 - shown in the page
    show_error(exc)
    st.stop()

st.divider()
head, actions = st.columns([3, 2], vertical_alignment="bottom")
with head:
    st.subheader(plain_label(job.title + (f" · {job.company}" if job.company else "")), anchor=False)
    st.caption(served_by(last.label, last.cost_usd, cached=last.cached) + f" · saved {fmt_when(job.created_at)}")
with actions:
    drafting_links(job.id, key="extract_to")

posting = job.posting
salary = posting.salary
facts = [(":material/location_on:", posting.location), (":material/home_work:", nice(posting.remote_mode)),
         (":material/schedule:", nice(posting.employment_type)), (":material/stairs:", nice(posting.seniority))]
if salary and (salary.min or salary.max):
    amounts = " – ".join(f"{v:,.0f}" for v in (salary.min, salary.max) if v is not None)
    facts.append((":material/payments:", f"{amounts} {salary.currency or ''} {nice(salary.period or '')}"
                  .replace(" —", "").strip()))


def _badge(text: str) -> str:
    """Model text inside a ``:color-badge[…]`` label: brackets become parentheses (so nothing
    can close the label early), the rest is escaped by ``plain_label``."""
    return plain_label(text.replace("[", "(").replace("]", ")"))


st.markdown("  ".join(f":gray-badge[{icon} {_badge(text)}]" for icon, text in facts
                      if text and text != "Not stated"))
if posting.skills:
    st.markdown(" ".join(f":blue-badge[{_badge(skill)}]" for skill in posting.skills[:20]))
match_panel(job_id=job.id, user=user, key="extract_match")

st.markdown("**Check and correct the fields**, then save. Drafts use what is saved here.")
edited = job_posting_form(posting, key=f"job{job.id}_u{job.updated_at.timestamp():.0f}")
if edited is not None and call(lambda: documents.update_job(orch, user=user.id, job_id=job.id,
                                                            posting=edited)) is not None:
    flash("Job saved.")
    st.rerun()
