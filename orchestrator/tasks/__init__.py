"""The three tasks: what they ask a model, and how the answer is checked.

Each task module exposes ``PROMPT_VERSION`` (part of the cache key: a prompt
change never serves an old answer), ``build_request`` and ``parse_output``.
Prompts wrap their inputs in tags (``<posting>``, ``<profile_json>``,
``<job_json>``, ``<options_json>``) so that the offline engine and the
simulator can read the same prompt a real model gets.
"""

from __future__ import annotations

from orchestrator.tasks import cover_letter, draft_cv, extract_job
from orchestrator.tasks.common import TaskSpec

TASKS: dict[str, TaskSpec] = {
    "extract_job": extract_job.SPEC,
    "draft_cv": draft_cv.SPEC,
    "cover_letter": cover_letter.SPEC,
}
TASK_NAMES: tuple[str, ...] = tuple(TASKS)


def get_task(name: str) -> TaskSpec:
    from orchestrator.errors import InputRejected

    try:
        return TASKS[name]
    except KeyError:
        raise InputRejected(
            f"Unknown task '{name}'. Choose one of: {', '.join(TASK_NAMES)}."
        ) from None
