"""chat: a generic conversation, for the OpenAI-compatible gateway (``model: "auto"``).

The caller's messages are the input: system messages become the instructions, the
last user message the prompt and the turns before it the history. Nothing is saved
but the ledger row; the answer goes back to the caller. No tag is added to the
prompt (a real model must see only what the caller sent), so the offline engine is
reached through the adapter, which knows the task from the request.
"""

from __future__ import annotations

from orchestrator.tasks.common import TaskSpec, TaskText

PROMPT_VERSION = "chat/v1"

SYSTEM = "You are a helpful assistant."

OFFLINE_REPLY = (
    "This answer comes from the AI Orchestrator's offline engine, a built-in fallback with no language "
    "model behind it: it cannot answer free-form questions. No AI provider could serve this request on "
    "your plan right now; ask an admin to add one, or try again later."
)


def build_prompt(last_user_message: str) -> str:
    return last_user_message


def parse_output(text: str) -> str:
    return text


def offline(tags: dict[str, str]) -> str:
    return OFFLINE_REPLY


SPEC = TaskSpec(
    name="chat",
    label="Chat",
    prompt_version=PROMPT_VERSION,
    system=SYSTEM,
    input="messages",
    build_prompt=build_prompt,
    parse_output=parse_output,
    output="reply",
    default_max_tokens=2048,
    offline=offline,
    default_cache_ttl_s=0,
    route_tier="fast",
    color="#7f7f7f",
    order=90,
    truncation_fails=False,  # an OpenAI-style client expects finish_reason "length" and decides itself
    text=TaskText(title="Chat", noun="answer", plural="chats", button="Send", again="Send again",
                  icon=":material/chat:"),
)
