"""Shared bits of the admin console pages: formatting, badges, flash messages and
the one way pages call a service that changes something.

Money is formatted from ``Decimal`` straight to text (no float on the way);
a missing price is shown as unpriced, never as $0.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from orchestrator.errors import OrchestratorError
from orchestrator.money import readable_usd, usd_str

T = TypeVar("T")

# Table cells are drawn on a canvas: symbols are plain Unicode that every system font has
# (no colour emoji), and ``table`` colours them by their leading mark.
CIRCUIT = {"closed": "● closed", "half_open": "◐ half-open", "open": "● open"}
STATUS = {"success": "✔ success", "error": "✘ error", "cached": "◉ cached", "quota_denied": "⊘ quota denied"}
MARK = {"success": "✔", "error": "✘", "cached": "◉", "quota_denied": "⊘"}
ACTIVE, INACTIVE = "● active", "○ inactive"
UNPRICED = "⚠ unpriced"
OVERRIDE = "✎ admin override"
_FLASH = "admin_flash"
_TONES = [  # (leading text, css colour)
    (("✔", "● closed", "● active", "● "), "#1a7f37"),
    (("✘", "● open", "⊘"), "#cf222e"),
    (("⚠", "◐"), "#b35900"),
    (("○", "—"), "#6e7781"),
    (("✎", "◉"), "#0969da"),
]


def usd(value: Decimal | int | None, places: int | None = None, *, unpriced: str = UNPRICED) -> str:
    """Money for people to read (``orchestrator.money.readable_usd``): ``$1,234.57``, ``$0.00123``,
    ``<$0.000001``, ``$0.00``, or the unpriced marker for None. Put ``exact_usd`` in the tooltip
    and in exports. ``places`` is accepted for older callers and ignored: one format everywhere."""
    return readable_usd(value, unpriced=unpriced)


def exact_usd(value: Decimal | None, *, unpriced: str = "—") -> str:
    """Dollars exactly as the ledger has them (no rounding), thousands separated:
    '$1,234.0004425', '-$1.5', or ``unpriced`` for None."""
    if value is None:
        return unpriced
    whole, _, frac = usd_str(abs(value)).partition(".")
    return f"{'-' if value < 0 else ''}${int(whole):,}" + (f".{frac}" if frac else "")


def usd_and_exact(value: Decimal | None, *, unpriced: str = UNPRICED) -> str:
    """For captions: ``$0.00357``, or ``$0.00357 (exactly $0.0035702)`` when rounding changed it."""
    shown = usd(value, unpriced=unpriced)
    if value is None:
        return shown
    digits = shown.replace("$", "").replace(",", "")
    try:
        same = Decimal(digits) == value
    except ArithmeticError:  # '<$0.000001'
        same = False
    return shown if same else f"{shown} (exactly {exact_usd(value)})"


def signed_exact_usd(value: Decimal) -> str:
    return ("+" if value > 0 else "") + exact_usd(value)


def per_mtok(value: Decimal | None) -> str:
    """A price per million tokens, with as many decimals as it has (at least 2)."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    frac = (frac + "00")[: max(2, len(frac.rstrip("0")))]
    return f"${int(whole):,}.{frac}"


def plain(value: Decimal | None) -> str:
    """A Decimal for an input field: '0.075', '15', '' for None."""
    return "" if value is None else format(value.normalize(), "f")


def signed_usd(value: Decimal | None, places: int | None = None) -> str:
    """``+$1.62`` / ``-$0.00123`` / ``$0.00`` (readable, see ``usd``), or "—" for None."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + usd(value)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def when(ts: datetime | None) -> str:
    """A UTC timestamp as ``2025-01-31 14:05`` (UTC), empty when missing."""
    return ts.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if ts else ""


def ago(ts: datetime | None, now: datetime | None = None) -> str:
    if ts is None:
        return "never"
    secs = int(((now or datetime.now(UTC)) - ts).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if secs >= size:
            return f"{secs // size} {unit} ago"
    return "just now"


def limit_text(value: Any, unit: str = "") -> str:
    if value is None:
        return "unlimited"
    if isinstance(value, Decimal):
        return usd(value)
    return f"{value:,}{unit}"


def flash(message: str, kind: str = "success") -> None:
    """Show ``message`` at the top of the page after the next rerun."""
    st.session_state[_FLASH] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop(_FLASH, (None, None))
    if message:
        {"success": st.success, "warning": st.warning, "info": st.info}.get(kind, st.info)(message)


def tone(value: Any) -> str:
    """CSS for one cell: its colour follows its leading mark (see ``_TONES``)."""
    if isinstance(value, str):
        for marks, colour in _TONES:
            if value.startswith(marks):
                return f"color: {colour}"
    return ""


def table(rows: list[dict[str, Any]] | pd.DataFrame, columns: list[str] | None = None) -> Styler:
    """A Styler for ``st.dataframe`` with status marks coloured."""
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=columns)
    return df.style.map(tone)


def attempt(call: Callable[[], T], *, success: str | Callable[[T], str] | None = None,
            rerun: bool = True) -> T | None:
    """Run a service call; show its OrchestratorError as an error, else flash ``success``.

    Returns the call's result, or None when it failed.
    """
    try:
        result = call()
    except OrchestratorError as exc:
        st.error(str(exc))
        return None
    if success:
        flash(success(result) if callable(success) else success)
        if rerun:
            st.rerun()
    return result


def header(title: str, caption: str) -> None:
    st.title(title)
    st.caption(caption)
    show_flash()


def private_urls_warning() -> None:
    """Admins see this on every page while job-posting links may reach private addresses."""
    from ui.context import get_orchestrator

    if get_orchestrator().snapshot.config().settings.get("url_fetch_allow_private"):
        st.warning("Job-posting links may reach private and loopback addresses: the server-side request "
                   "forgery guard is off. Turn it back on under **Security** when the demo is over.",
                   icon=":material/gpp_maybe:")


def options_with_all(values: list[str], all_label: str = "All") -> list[str]:
    return [all_label, *values]


def none_if_all(value: str | None, all_label: str = "All") -> str | None:
    return None if value in (None, "", all_label) else value
