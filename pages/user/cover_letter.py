"""Write a cover letter for one saved job (see ui/user_drafting.py)."""

from ui.user_drafting import render

render("cover_letter")
