"""Anthropic messages on the wire: ``POST /v1/messages`` (plain and SSE),
``POST /v1/messages/count_tokens`` and ``GET /v1/models``, with the event
sequence, usage and error shapes the ``anthropic`` SDK parses."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.simulator.engine import Call, Generation
from orchestrator.simulator.wire import StreamPlan, WireError, header, new_id, sse

VENDOR = "anthropic"
DEFAULT_MODELS = ("claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6")

_STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("authentication_error", "invalid x-api-key"),
    402: ("billing_error", "Your credit balance is too low to access the Anthropic API."),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "Not found."),
    408: ("timeout_error", "Request timed out."),
    409: ("conflict_error", "Conflict."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error",
          "This request would exceed the rate limit for your organization of 50 requests per minute."),
    500: ("api_error", "Internal server error"),
    502: ("api_error", "Bad gateway"),
    503: ("api_error", "Service unavailable"),
    504: ("timeout_error", "Request timed out"),
    529: ("overloaded_error", "Overloaded"),
}


def error(status: int, message: str | None = None) -> dict[str, Any]:
    etype, default = _STATUS_ERRORS.get(status, ("api_error" if status >= 500 else "invalid_request_error", f"HTTP {status}"))
    return {"type": "error", "error": {"type": etype, "message": message or default},
            "request_id": new_id("req_011", 21)}


CREDIT_MESSAGE = ("Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing "
                  "to upgrade or purchase credits.")


def fault_error(fault: Any, model: str | None, call: Call | None = None) -> tuple[int, dict[str, Any]]:
    """(status, body) for a ``status``, ``quota`` or ``too_large`` fault. An empty balance is a
    400 invalid_request_error (402 billing_error with ``status=402``); too large is a 413."""
    if fault.kind == "quota":
        status = int(fault.status or 400)
        etype = "billing_error" if status == 402 else "invalid_request_error"
        return status, {"type": "error", "error": {"type": etype, "message": fault.message or CREDIT_MESSAGE},
                        "request_id": new_id("req_011", 21)}
    if fault.kind == "too_large":
        return int(fault.status or 413), error(413, fault.message)
    status = int(fault.status or 500)
    return status, error(status, fault.message)


def stream_fault(fault: Any, model: str | None) -> bytes:
    """The in-stream form: ``event: error`` with ``{"type": "error", "error": {...}}``."""
    body = fault_error(fault, model)[1]
    body.pop("request_id", None)
    return sse(body, "error")


def response_headers() -> dict[str, str]:
    return {"request-id": new_id("req_011", 21), "anthropic-organization-id": "sim-org"}


def auth_error(headers: Any, query: dict[str, str], valid: frozenset[str] | None) -> WireError | None:
    if valid is None:
        return None
    key = header(headers, "x-api-key") or ""
    bearer = header(headers, "authorization") or ""
    if not key and bearer.lower().startswith("bearer "):
        key = bearer[7:].strip()  # anthropic>=2 sends the key as a bearer token
    if not key:
        return WireError(401, error(401, "x-api-key header is required"))
    if key not in valid:
        return WireError(401, error(401, "invalid x-api-key"))
    return None


def model_not_found(model: str) -> WireError:
    return WireError(404, error(404, f"model: {model}"))


def bad_request(message: str) -> WireError:
    return WireError(400, error(400, message))


# ---------------------------------------------------------------- requests


def _blocks(content: Any) -> tuple[list[str], int, bool]:
    """(texts, images, cache_control seen) of a system or message content."""
    if content is None:
        return [], 0, False
    if isinstance(content, str):
        return [content], 0, False
    texts: list[str] = []
    images = 0
    cached = False
    for block in content if isinstance(content, list) else []:
        if not isinstance(block, dict):
            continue
        cached = cached or bool(block.get("cache_control"))
        kind = block.get("type")
        if kind == "text":
            texts.append(str(block.get("text", "")))
        elif kind == "image":
            source = block.get("source") or {}
            if source.get("type") == "base64" and not source.get("data"):
                raise bad_request("messages: image source data is empty")
            if source.get("type") == "base64" and source.get("media_type") not in (
                "image/jpeg", "image/png", "image/gif", "image/webp"
            ):
                raise bad_request(
                    "messages.0.content.1.image.source.base64.media_type: Input should be "
                    "'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"
                )
            images += 1
    return texts, images, cached


def parse(body: dict[str, Any], *, counting: bool = False) -> Call:
    """``counting``: a count_tokens request, which has no max_tokens."""
    model = body.get("model")
    if not model or not isinstance(model, str):
        raise bad_request("model: Field required")
    if body.get("max_tokens") is None and not counting:
        raise bad_request("max_tokens: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("messages: Field required")
    system, images, cached = _blocks(body.get("system"))
    prompt: list[str] = []
    for msg in messages:
        if not isinstance(msg, dict) or msg.get("role") not in ("user", "assistant"):
            raise bad_request("messages: each message needs a role of 'user' or 'assistant'")
        texts, n, c = _blocks(msg.get("content"))
        if msg.get("role") == "user":
            prompt.extend(texts)
        images += n
        cached = cached or c
    call = Call(
        vendor=VENDOR,
        model=model,
        system="\n\n".join(system),
        prompt="\n\n".join(prompt),
        images=images,
        stream=bool(body.get("stream")),
        max_tokens=None if body.get("max_tokens") is None else int(body["max_tokens"]),
        cache_marked=cached or bool(body.get("cache_control")),
    )
    tools = body.get("tools") or []
    if tools:
        call.extra_input_tokens += len(json.dumps(tools)) // 4 + 300  # tool-use system prompt
    choice = body.get("tool_choice") or {}
    forced = None
    if choice.get("type") == "tool":
        forced = choice.get("name")
    elif choice.get("type") == "any" and len(tools) == 1:
        forced = tools[0].get("name")
    if forced:
        tool = next((t for t in tools if t.get("name") == forced), None)
        if tool is None:
            raise bad_request(f"tool_choice: tool '{forced}' was not found in tools")
        call.tool_name = forced
        call.schema = tool.get("input_schema") or {"type": "object"}
        call.json_mode = True
    fmt = ((body.get("output_config") or {}).get("format")) or body.get("output_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        call.schema = fmt.get("schema") or {"type": "object"}
        call.json_mode = True
        call.extra_input_tokens += len(json.dumps(call.schema)) // 4
    return call


# --------------------------------------------------------------- responses


def _stop_reason(call: Call, gen: Generation) -> str:
    if gen.finish == "length":
        return "max_tokens"
    if gen.finish == "refusal":
        return "refusal"
    return "tool_use" if call.tool_name else "end_turn"


def _input_usage(gen: Generation, *, split: bool = True) -> dict[str, Any]:
    u = gen.usage
    usage: dict[str, Any] = {
        # Anthropic reports input without cache reads and writes
        "input_tokens": max(0, u.input_tokens - u.cached_tokens - u.cache_write_tokens),
        "cache_creation_input_tokens": u.cache_write_tokens,
        "cache_read_input_tokens": u.cached_tokens,
    }
    if split:  # the writes by lifetime (message_delta carries only the totals)
        usage["cache_creation"] = {"ephemeral_5m_input_tokens": u.cache_write_tokens - u.cache_write_1h_tokens,
                                   "ephemeral_1h_input_tokens": u.cache_write_1h_tokens}
    return usage


def _output_tokens(gen: Generation) -> int:
    """Thinking bills as output and is counted in it; Anthropic reports no separate number."""
    return gen.usage.output_tokens + gen.usage.reasoning_tokens


def usage_body(call: Call, gen: Generation) -> dict[str, Any]:
    """What genai-prices' extractor reads (``extract_usage(..., provider_id="anthropic")``)."""
    return {"model": call.model, "usage": {**_input_usage(gen), "output_tokens": _output_tokens(gen)}}


def _block(call: Call, gen: Generation, tool_id: str) -> dict[str, Any]:
    if call.tool_name:
        data = gen.data if isinstance(gen.data, dict) else {}
        return {"type": "tool_use", "id": tool_id, "name": call.tool_name, "input": data}
    return {"type": "text", "text": gen.text}


def _message(call: Call, msg_id: str) -> dict[str, Any]:
    return {"id": msg_id, "type": "message", "role": "assistant", "model": call.model,
            "stop_sequence": None}


def render(call: Call, gen: Generation) -> dict[str, Any]:
    usage = {**_input_usage(gen), "output_tokens": _output_tokens(gen), "service_tier": "standard"}
    return {**_message(call, new_id("msg_01", 22)), "content": [_block(call, gen, new_id("toolu_01", 22))],
            "stop_reason": _stop_reason(call, gen), "usage": usage}


def stream(call: Call, gen: Generation, chunks: list[str]) -> StreamPlan:
    msg = {**_message(call, new_id("msg_01", 22)), "content": [], "stop_reason": None,
           "usage": {**_input_usage(gen), "output_tokens": 1, "service_tier": "standard"}}
    if call.tool_name:
        start = {"type": "tool_use", "id": new_id("toolu_01", 22), "name": call.tool_name, "input": {}}
        delta = lambda piece: {"type": "input_json_delta", "partial_json": piece}  # noqa: E731
    else:
        start = {"type": "text", "text": ""}
        delta = lambda piece: {"type": "text_delta", "text": piece}  # noqa: E731
    plan = StreamPlan()
    plan.head = [
        sse({"type": "message_start", "message": msg}, "message_start"),
        sse({"type": "content_block_start", "index": 0, "content_block": start}, "content_block_start"),
        sse({"type": "ping"}, "ping"),
    ]
    plan.body = [
        sse({"type": "content_block_delta", "index": 0, "delta": delta(piece)}, "content_block_delta")
        for piece in chunks
    ]
    plan.tail = [
        sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        sse({"type": "message_delta",
             "delta": {"stop_reason": _stop_reason(call, gen), "stop_sequence": None},
             "usage": {**_input_usage(gen, split=False), "output_tokens": _output_tokens(gen)}},  # cumulative
            "message_delta"),
        sse({"type": "message_stop"}, "message_stop"),
    ]
    return plan


def stream_error(status: int, message: str | None = None) -> bytes:
    body = error(status, message)
    body.pop("request_id", None)
    return sse(body, "error")


def broken_frame() -> bytes:
    return b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_de\n\n'


LIST_PAGE_SIZE = 20  # the API's default ``limit`` (1-1000)


def list_models(models: list[str], query: dict[str, str] | None = None) -> dict[str, Any]:
    """One page of ``GET /v1/models``: ``limit`` models after ``after_id`` (or before ``before_id``),
    with ``has_more``, ``first_id`` and ``last_id`` as the API pages them."""
    query = query or {}
    try:
        limit = min(max(int(query.get("limit") or LIST_PAGE_SIZE), 1), 1000)
    except ValueError:
        raise bad_request("limit: Input should be a valid integer") from None
    start, end = 0, len(models)
    if query.get("after_id") in models:
        start = models.index(query["after_id"]) + 1
    if query.get("before_id") in models:
        end = models.index(query["before_id"])
        start = max(start, end - limit)
    chosen = models[start:min(end, start + limit)]
    data = [get_model(m) for m in chosen]
    more = start + limit < end if "before_id" not in query else start > 0
    return {"data": data, "has_more": more,
            "first_id": data[0]["id"] if data else None, "last_id": data[-1]["id"] if data else None}


def get_model(model: str) -> dict[str, Any]:
    return {"type": "model", "id": model, "display_name": model.replace("-", " ").title(),
            "created_at": "2025-01-01T00:00:00Z"}

