"""Draft a CV tailored to one saved job (see ui/user_drafting.py)."""

from ui.user_drafting import render

render("draft_cv")
