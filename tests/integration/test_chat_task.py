"""The chat task (what the OpenAI-compatible gateway routes) through the real pipeline, on both
databases: conversations reach every wire format whole, a named model is honoured only when the
plan may use it, nothing but the ledger row is saved, and each row says where it came from."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import Document, Job, RoutingPolicy, RoutingRule, UsageRecord
from orchestrator import InputRejected, InputTooLarge, NotFound, PermissionDenied
from orchestrator.origin import CLI, Origin
from orchestrator.tasks.chat import OFFLINE_REPLY
from tests.sim_support import set_chain

CHAT = "chat"
CONVERSATION = [
    {"role": "system", "content": "Answer in one sentence."},
    {"role": "user", "content": "Which city is the capital of France? " * 20},
    {"role": "assistant", "content": "Paris is the capital of France. " * 20},
    {"role": "user", "content": [{"type": "text", "text": "And of Germany?"}]},
]


@pytest.fixture
def sim_users(demo_users, sim_orch):
    """The demo accounts, with the simulated providers registered."""
    return sim_orch


def _rows(orch, request_id):
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).where(UsageRecord.request_id == request_id)).all()


def _count(orch, model) -> int:
    with orch.db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_offline_engine_answers_honestly_and_saves_nothing(demo_users):
    orch = demo_users
    jobs, docs = _count(orch, Job), _count(orch, Document)
    r = orch.run(CHAT, user="free@example.com", messages=CONVERSATION)
    assert r.text == OFFLINE_REPLY and "offline engine" in r.text
    assert r.job_id is None and r.document_id is None
    assert (_count(orch, Job), _count(orch, Document)) == (jobs, docs)
    [row] = _rows(orch, r.request_id)
    assert (row.task_type, row.status, row.origin, row.token_id) == (CHAT, "success", "python", None)


@pytest.mark.parametrize("provider,model", [("sim-openai", "gpt-4o-mini"),
                                            ("sim-anthropic", "claude-haiku-4-5"),
                                            ("sim-gemini", "gemini-2.5-flash-lite")])
def test_the_whole_conversation_reaches_each_wire_format(sim_users, provider, model):
    orch = sim_users
    set_chain(orch, "freemium", CHAT, f"{provider}:{model}")
    short = orch.run(CHAT, user="free@example.com", messages=CONVERSATION[-1:])
    full = orch.run(CHAT, user="free@example.com", messages=CONVERSATION)
    assert (full.provider, full.model) == (provider, model)
    # the history and the instructions were sent: the vendor billed for them
    assert full.usage.input_tokens > short.usage.input_tokens + 100
    streamed = list(orch.stream(CHAT, user="free@example.com", messages=CONVERSATION))
    assert "".join(e for e in streamed if isinstance(e, str)) == streamed[-1].text


def test_a_named_model_is_used_only_if_the_plan_may_use_it(sim_users):
    orch = sim_users
    set_chain(orch, "freemium", CHAT, "sim-anthropic:claude-haiku-4-5,sim-openai:gpt-4o-mini")
    r = orch.run(CHAT, user="free@example.com", text="Hello?", model="sim-openai/gpt-4o-mini")
    assert (r.provider, r.model) == ("sim-openai", "gpt-4o-mini")  # not the chain's first
    with pytest.raises(PermissionDenied, match="not available on the Freemium plan"):
        orch.run(CHAT, user="free@example.com", text="Hello?", model="sim-openai/gpt-5")
    with pytest.raises(NotFound, match="provider/model"):
        orch.run(CHAT, user="free@example.com", text="Hello?", model="gpt-4o-mini")


def test_a_named_model_does_not_fall_back(sim_users):
    from orchestrator import AllProvidersFailed

    from orchestrator.services.admin import providers
    from tests.support import operator

    orch = sim_users
    set_chain(orch, "freemium", CHAT, "sim-openai:gpt-4o-mini,sim-anthropic:claude-haiku-4-5")
    providers.update_provider(orch, "sim-openai", api_key="sk-proj-WrongKey000000000000000000",
                              actor=operator())
    with pytest.raises(AllProvidersFailed) as err:
        orch.run(CHAT, user="free@example.com", text="Hello?", model="sim-openai/gpt-4o-mini")
    assert {f.provider for f in err.value.failures} == {"sim-openai"}


def test_caller_limits_and_bad_conversations(sim_users):
    orch = sim_users
    set_chain(orch, "freemium", CHAT, "sim-openai:gpt-4o-mini")
    r = orch.run(CHAT, user="free@example.com", text="Write a long story.", max_tokens=5)
    assert r.usage.output_tokens <= 5
    bad = [
        ([], "at least one message"),
        ([{"role": "assistant", "content": "hi"}], "last message must be the user's"),
        ([{"role": "tool", "content": "x"}], "role 'tool' is not supported"),
        ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}], "only text"),
        ([{"role": "user", "content": "  "}], "empty"),
    ]
    for messages, message in bad:
        with pytest.raises(InputRejected, match=message):
            orch.run(CHAT, user="free@example.com", messages=messages)
    with pytest.raises(InputRejected, match="temperature"):
        orch.run(CHAT, user="free@example.com", text="hi", temperature=7)
    with pytest.raises(InputTooLarge, match="the limit is"):
        orch.run(CHAT, user="free@example.com", text="x" * (orch.settings.max_chat_chars + 1))


def test_every_ledger_row_records_its_origin(demo_users):
    orch = demo_users
    cli = orch.run(CHAT, user="free@example.com", text="hi", origin=CLI)
    api = orch.run(CHAT, user="free@example.com", text="hi", origin=Origin.token(42))
    assert [(r.origin, r.token_id) for r in _rows(orch, cli.request_id)] == [("cli", None)]
    assert [(r.origin, r.token_id) for r in _rows(orch, api.request_id)] == [("api", 42)]
    with pytest.raises(ValueError):
        Origin("browser")


def test_seeding_routes_a_task_added_after_the_policy_was_written(demo_users):
    """An upgrade that brings a new task (as this one brought chat) gets its seeded chains in a
    new policy version; rerunning the seed, or a task an admin routed before, changes nothing."""
    from orchestrator.seeding.seed import seed_base

    orch = demo_users
    with orch.db.write() as s:
        live = s.scalar(select(RoutingPolicy).order_by(RoutingPolicy.version.desc()).limit(1))
        version = live.version
        s.execute(RoutingRule.__table__.delete().where(RoutingRule.task == CHAT))
    assert seed_base(orch.db)["policies"] == 1
    with orch.db.read() as s:
        newest = s.scalar(select(RoutingPolicy).order_by(RoutingPolicy.version.desc()).limit(1))
        assert newest.version == version + 1 and "chat" in newest.note
        assert {r.plan_code for r in newest.rules if r.task == CHAT} == {"freemium", "paygo", "pro"}
    assert seed_base(orch.db)["policies"] == 0
