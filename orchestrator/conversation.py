"""A conversation as a request's input (the chat task behind the OpenAI-compatible gateway).

Messages are OpenAI-shaped, ``{"role": ..., "content": ...}``: ``system`` and
``developer`` messages become the instructions, the last message (which must be
the user's) the prompt, and the user and assistant turns before it the history.
Content is a string or a list of text parts; anything else (images, audio, tool
calls) is refused with a message that says so, never silently dropped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from orchestrator.errors import InputRejected, InputTooLarge

_SYSTEM_ROLES = ("system", "developer")
_TURN_ROLES = ("user", "assistant")
_OPTIONS = ("max_tokens", "temperature")


def _text_of(content: Any, index: int) -> str:
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        texts = []
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind != "text" or not isinstance(part.get("text"), str):
                raise InputRejected(f"messages[{index}]: only text content is supported (got a "
                                    f"{kind or type(part).__name__!s} part).")
            texts.append(part["text"])
        return "\n".join(texts)
    raise InputRejected(f"messages[{index}].content must be a string or a list of text parts.")


def parse_messages(messages: Any, *, max_chars: int, max_messages: int) -> tuple[str, tuple[tuple[str, str], ...], str]:
    """(system, history, last user text) from OpenAI-shaped messages, checked."""
    if not isinstance(messages, list) or not messages:
        raise InputRejected("Give at least one message.")
    if len(messages) > max_messages:
        raise InputRejected(f"A conversation may have at most {max_messages} messages (got {len(messages)}).")
    system_parts: list[str] = []
    turns: list[tuple[str, str]] = []
    total = 0
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            raise InputRejected(f"messages[{i}] must be an object with a role and content.")
        role = msg.get("role")
        text = _text_of(msg.get("content"), i)
        total += len(text)
        if role in _SYSTEM_ROLES:
            system_parts.append(text)
        elif role in _TURN_ROLES:
            turns.append((role, text))
        else:
            raise InputRejected(f"messages[{i}]: role {str(role)[:32]!r} is not supported "
                                "(use system, developer, user or assistant).")
    if total > max_chars:
        raise InputTooLarge(f"The conversation is {total:,} characters long; the limit is {max_chars:,}.")
    if not turns or turns[-1][0] != "user":
        raise InputRejected("The last message must be the user's.")
    if not turns[-1][1].strip():
        raise InputRejected("The last user message is empty.")
    return "\n\n".join(p for p in system_parts if p.strip()), tuple(turns[:-1]), turns[-1][1]


def prepare_messages(settings, base: dict[str, Any], *, messages: Any, text: str | None,
                     options: dict[str, Any]):
    """The ``Prepared`` request of a ``messages`` task. ``text`` alone is one user message
    (so the CLI's ``run chat --text`` works); options are ``max_tokens`` and ``temperature``."""
    from orchestrator.prepare import Prepared

    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise InputRejected(f"{base['task'].label} takes only max_tokens and temperature (got: {', '.join(unknown)}).")
    if messages is None and text is not None:
        messages = [{"role": "user", "content": text}]
    system, history, last = parse_messages(messages, max_chars=settings.max_chat_chars,
                                           max_messages=settings.max_chat_messages)
    prepared = Prepared(prompt=base["task"].build_prompt(last), source="messages", history=history,
                        system=system or None, **base)
    max_tokens, temperature = options.get("max_tokens"), options.get("temperature")
    if max_tokens is not None:
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise InputRejected("max_tokens must be a positive whole number.")
        prepared = replace(prepared, max_tokens=max_tokens)
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not 0 <= temperature <= 2:
            raise InputRejected("temperature must be a number from 0 to 2.")
        prepared = replace(prepared, temperature=float(temperature))
    return prepared
