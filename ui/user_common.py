"""Small pieces every job-seeker page shares: money and date formats, error
display, long steps in ``st.status``, toasts that survive a rerun, downloads."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

import streamlit as st


from orchestrator.money import readable_usd
from orchestrator.safe_markdown import plain_label
from orchestrator.tasks import TASKS, document_tasks
from orchestrator.errors import (
    AllProvidersFailed,
    InputRejected,
    NoRouteAvailable,
    NotFound,
    OrchestratorError,
    ProviderError,
    QuotaExceeded,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGE_HOME = "pages/user/home.py"
PAGE_PROFILE = "pages/user/profile.py"
# the task pages come from the task registry (TaskSpec.text.page)
PAGE_EXTRACT = next(t for t in TASKS.values() if t.output == "job").text.page
PAGE_DOCUMENTS = "pages/user/documents.py"
PAGE_PLAN = "pages/user/plan.py"

ICONS = {
    "home": ":material/home:", "profile": ":material/badge:", "extract": ":material/travel_explore:",
    "documents": ":material/folder_open:",
    "plan": ":material/data_usage:", "save": ":material/save:", "delete": ":material/delete:",
    "download": ":material/download:", "regenerate": ":material/refresh:", "open": ":material/open_in_new:",
    "quota": ":material/hourglass_top:", "unavailable": ":material/cloud_off:", "error": ":material/error:",
    "bad_input": ":material/report:",
}


# ------------------------------------------------------------------ formatting


def fmt_usd(value: Decimal | None, *, unpriced: str = "unpriced") -> str:
    """'$1.25', '$0.000443' (three significant digits below a dollar), '$0.00', or 'unpriced':
    the one money format (``orchestrator.money.readable_usd``)."""
    return readable_usd(value, unpriced=unpriced)


def fmt_when(value: datetime) -> str:
    """'12 Mar 2026, 14:05 UTC'."""
    return f"{value.astimezone(UTC):%d %b %Y, %H:%M} UTC"


def served_by(label: str, cost: Decimal | None, *, cached: bool = False) -> str:
    text = f"Served by {plain_label(label)} · cost {fmt_usd(cost)}"
    return text + " · from cache" if cached else text


# ----------------------------------------------------------------------- errors


def show_error(exc: BaseException) -> None:
    """A failure as a message in the page, never Streamlit's exception box.
    OrchestratorError messages are written for users and shown as they are, as plain text:
    they can quote provider names, model names or the user's own input."""
    message = plain_label(str(exc))
    if isinstance(exc, QuotaExceeded):
        st.warning(message, icon=ICONS["quota"])
        st.page_link(PAGE_PLAN, label="See your plan and usage", icon=ICONS["plan"])
    elif isinstance(exc, (AllProvidersFailed, NoRouteAvailable, ProviderError)):
        st.error(message, icon=ICONS["unavailable"])
    elif isinstance(exc, (InputRejected, NotFound)):
        st.error(message, icon=ICONS["bad_input"])
        if "profile is empty" in str(exc).lower():
            st.page_link(PAGE_PROFILE, label="Fill in your profile", icon=ICONS["profile"])
    elif isinstance(exc, OrchestratorError):
        st.error(message, icon=ICONS["error"])
    else:
        log.exception("unexpected error in a user page", exc_info=exc)
        st.error("Something went wrong on our side. Please try again; if it keeps happening, tell your "
                 "administrator.", icon=ICONS["error"])


def call(fn: Callable[[], T]) -> T | None:
    """Run a quick service call; on failure show the message and return None."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - shown in the page, see show_error
        show_error(exc)
        return None


def run_step(label: str, fn: Callable[[], T], *, done: str, failed: str) -> T | None:
    """A long step inside ``st.status`` named after it; the error, if any, is shown
    below the status (a collapsed status would hide it)."""
    error: BaseException | None = None
    with st.status(label, expanded=False) as status:
        try:
            value = fn()
        except Exception as exc:  # noqa: BLE001 - shown in the page
            error = exc
            status.update(label=failed, state="error")
        else:
            status.update(label=done, state="complete")
    if error is not None:
        show_error(error)
        return None
    return value


# ----------------------------------------------------------------------- toasts


def flash(message: str, icon: str = ":material/check_circle:") -> None:
    """A toast shown on the next run (use before ``st.rerun`` or ``st.switch_page``).
    ``message`` is plain text (it may quote a job title): it is shown as written."""
    st.session_state.setdefault("_flash", []).append((message, icon))


def show_flash() -> None:
    for message, icon in st.session_state.pop("_flash", []):
        st.toast(plain_label(message), icon=icon)


# -------------------------------------------------------------------- downloads


@st.cache_data(max_entries=64, show_spinner=False)
def export_bytes(text: str, fmt: str, title: str, author: str = "") -> bytes:
    """Exports are pure functions of (text, format, title, author): cached, so a rerun of the
    page does not rebuild three files."""
    from orchestrator import exports

    return exports.export(text, fmt=fmt, title=title, author=author)


@st.cache_data(ttl=60, max_entries=256, show_spinner=False)
def _author_of(user_id: int) -> str:
    from orchestrator.services.user.profiles import document_author
    from ui.context import get_orchestrator

    return document_author(get_orchestrator(), user=user_id)


def _author() -> str:
    """The signed-in user as the author of their downloads: their profile's name (read at most
    once a minute, however many download buttons a page shows)."""
    from ui.context import current_user

    user = current_user()
    return (call(lambda: _author_of(user.id)) or "") if user is not None else ""


def download_buttons(text: str, *, title: str, key: str) -> None:
    """DOCX, PDF and Markdown downloads of ``text`` side by side."""
    from orchestrator import exports

    cols = st.columns(3)
    for col, fmt in zip(cols, ("docx", "pdf", "md"), strict=True):
        name, mime = exports.FORMATS[fmt]
        try:
            data = export_bytes(text, fmt, title, _author())
        except Exception as exc:  # noqa: BLE001 - one broken format must not break the page
            log.exception("export to %s failed", fmt, exc_info=exc)
            col.button(f"{name} unavailable", disabled=True, key=f"{key}_{fmt}_broken", width="stretch")
            continue
        col.download_button(f"Download {name}", data=data, file_name=exports.file_name(title, fmt), mime=mime,
                            key=f"{key}_{fmt}", icon=ICONS["download"], on_click="ignore", width="stretch")


def saved_jobs(orch, user_id: int) -> list | None:
    """The user's saved jobs, or None after showing an error or the "extract one first" empty state."""
    from orchestrator.services.user import documents

    jobs = call(lambda: documents.list_jobs(orch, user=user_id))
    if jobs is None:
        return None
    if not jobs:
        st.info("No saved jobs yet — extract one first.", icon=":material/info:")
        st.page_link(PAGE_EXTRACT, label="Extract a job posting", icon=ICONS["extract"])
        return None
    return jobs


def drafting_links(job_id: int | None = None, *, key: str, buttons: bool = True) -> None:
    """One button (or link) per drafting task, in registry order; a button remembers the job."""
    tasks = document_tasks()
    for col, spec in zip(st.columns(len(tasks)), tasks, strict=True):
        if not buttons:
            col.page_link(spec.text.page, label=spec.text.title, icon=spec.text.icon)
        elif col.button(spec.text.title, icon=spec.text.icon, key=f"{key}_{spec.name}", width="stretch"):
            if job_id is not None:
                st.session_state["draft_job_id"] = job_id
            st.switch_page(spec.text.page)
