"""The one line that tells a job seeker what their plan does with their name and contact details
on the way to an AI provider (``orchestrator.placeholders``; the plan's ``redact_personal_data``)."""

from __future__ import annotations

from typing import Any

import streamlit as st

ON = ("Your name and contact details are replaced by placeholders before your profile is sent to an AI "
      "provider, and put back afterwards.")
OFF = ("On your plan, your name and contact details are sent to the AI provider as they are. The built-in "
       "offline engine never sends anything.")


def redacts(plan: Any) -> bool:
    """``plan``: a bool, or anything with ``redacts_personal_data`` (``account.AccountStatus``) or
    ``redact_personal_data`` (``plans.PlanInfo``). Unknown means on, the default."""
    if isinstance(plan, bool):
        return plan
    value = getattr(plan, "redacts_personal_data", getattr(plan, "redact_personal_data", True))
    return value is not False


def privacy_note(plan: Any) -> None:
    st.caption(f":material/privacy_tip: {ON if redacts(plan) else OFF}")
