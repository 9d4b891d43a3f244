"""A task is one descriptor: a throwaway task registered inside this test runs end to end
(routing, quota, ledger, saving, listing, CLI, labels) on both databases, changing no
other module."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.models import UsageRecord
from orchestrator.errors import InputRejected
from orchestrator.services.user import account, documents
from orchestrator.services.admin import policy
from orchestrator.tasks import TASKS, document_tasks, get_task, register, unregister
from orchestrator.tasks.common import TaskSpec, TaskText, dumps, read_tags, tag
from tests.support import POSTING, operator

NAME = "pitch_line"


def _prompt(profile, posting, options) -> str:
    return "\n".join(["Write a one-line elevator pitch for this candidate and job.", tag("task", NAME),
                      tag("job_json", dumps(posting.model_dump(mode="json"))),
                      tag("profile_json", dumps(profile.model_dump(mode="json")))])


def _offline(tags: dict[str, str]) -> str:
    job = json.loads(tags["job_json"])
    name = json.loads(tags["profile_json"]).get("name") or "I"
    return f"{name}: the {job['title']} {job.get('company') or 'your team'} is looking for."


def _parse(text: str) -> str:
    from orchestrator.errors import ProviderError

    if ":" not in text:
        raise ProviderError("A pitch names its candidate first.", kind="invalid_output", retryable=True)
    return text.strip()


SPEC = TaskSpec(
    name=NAME, label="Elevator pitch", prompt_version=f"{NAME}/v1",
    system="You write one-line elevator pitches from a candidate's profile and a job posting.",
    input="saved_job", build_prompt=_prompt, parse_output=_parse, output="document", document_kind="pitch",
    default_max_tokens=120, offline=_offline, route_tier="fast", color="#E45756", order=50,
    text=TaskText(title="Write a pitch", noun="pitch", plural="Pitches", nav="Pitch"),
)


@pytest.fixture
def pitch_task():
    register(SPEC)
    yield SPEC
    unregister(NAME)


def test_a_task_registered_in_a_test_runs_end_to_end(demo_users, pitch_task):
    orch = demo_users
    assert NAME in TASKS and pitch_task in document_tasks() and get_task(NAME) is pitch_task
    job = orch.run("extract_job", user="pro@example.com", text=POSTING)
    # no policy cell yet: the offline engine serves it through the task's own offline handler
    r = orch.run(NAME, user="pro@example.com", job_id=job.job_id)
    assert r.text.startswith("Priya Pro: the Senior Python Engineer") and r.document_id
    with orch.db.read() as s:
        (row,) = s.scalars(select(UsageRecord).where(UsageRecord.request_id == r.request_id)).all()
    assert (row.task_type, row.status) == (NAME, "success")
    docs = documents.list_documents(orch, user="pro@example.com", kind="pitch")
    assert [(d.id, d.kind, d.kind_label) for d in docs] == [(r.document_id, "pitch", "Elevator pitch")]
    assert docs[0].title.startswith("Elevator pitch — Senior Python Engineer")
    # the routing policy accepts the new task like any other
    policy.set_chain(orch, plan="pro", task=NAME, steps=policy_steps("offline:offline-engine-v1"),
                     actor=operator())
    assert orch.run(NAME, user="pro@example.com", job_id=job.job_id, regenerate=True).provider == "offline"
    # streamed like any other task, and counted on the user's plan page
    events = list(orch.stream(NAME, user="pro@example.com", job_id=job.job_id))
    assert events[-1].document_id and "".join(e for e in events[:-1] if isinstance(e, str)) == events[-1].text
    costs = account.document_costs(orch, user="pro@example.com")
    assert "Elevator pitch" in {c.kind_label for c in costs}
    # the CLI takes it too
    from orchestrator.cli import _parser

    assert _parser().parse_args(["run", NAME, "--user", "pro@example.com", "--job-id", "1"]).task == NAME


def test_an_unknown_task_is_refused_with_the_known_ones(demo_users):
    with pytest.raises(InputRejected, match=rf"Unknown task '{NAME}'. Choose one of: extract_job, draft_cv"):
        demo_users.run(NAME, user="pro@example.com", job_id=1)


def test_a_prompt_naming_an_unknown_task_is_refused_by_the_offline_engine():
    from orchestrator.offline import respond

    with pytest.raises(InputRejected, match="knows no task 'no_such_task'"):
        respond("", tag("task", "no_such_task"))
    assert read_tags(tag("task", "x")) == {"task": "x"}


def policy_steps(chain: str):
    from orchestrator.routing import parse_chain

    return parse_chain(chain)
