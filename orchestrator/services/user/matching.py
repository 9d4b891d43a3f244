"""How well the signed-in user's profile matches one of their saved jobs.

Computed by ``orchestrator.matching`` (deterministic, offline): it costs nothing, writes no
ledger row, holds no quota and is the same on every plan. Ownership is checked in the query,
as in ``documents``: someone else's job is ``NotFound``, like one that does not exist.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from db.models import Job, UserProfile
from orchestrator.errors import NotFound
from orchestrator.ids import parse_id
from orchestrator.matching import MatchReport, Term, match
from orchestrator.prepare import resolve_user
from orchestrator.schemas import JobPosting, Profile


def match_job(orch, *, user: str | int, job_id: int, draft_text: str | None = None,
              draft_noun: str = "draft") -> MatchReport:
    """The match of the user's profile with their saved job ``job_id``; with ``draft_text`` (a
    drafted CV or letter) also which of the posting's skills the profile has but the draft left
    out (``left_out``, and ``emphasis`` to ask for them). ``draft_noun`` names the draft in
    ``draft_summary`` ("Your CV covers ...")."""
    row, _plan = resolve_user(orch.db, user)
    jid = parse_id(job_id, what="job")
    with orch.db.read() as s:
        job = s.scalar(select(Job).where(Job.id == jid, Job.user_id == row.id))
        if job is None:
            raise NotFound(f"Job {job_id} is not one of your saved jobs.")
        data = job.data
        stored = s.get(UserProfile, row.id)
        profile_data = stored.data if stored else None
    posting = JobPosting.model_validate(data)
    profile = Profile.model_validate(profile_data) if profile_data else Profile()
    report = match(posting, profile, draft_text, draft_noun=draft_noun)
    return dataclasses.replace(report, job_id=jid)


__all__ = ["MatchReport", "Term", "match_job"]
