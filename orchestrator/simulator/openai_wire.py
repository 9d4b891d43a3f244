"""OpenAI chat completions on the wire: ``POST /v1/chat/completions`` and
``GET /v1/models``, with the response, chunk, usage and error shapes the
``openai`` SDK parses. OpenAI-compatible servers speak the same format."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.simulator.engine import REFUSAL_TEXT, Call, Generation
from orchestrator.simulator.wire import StreamPlan, WireError, dumps, header, mask_key, new_id, now, sse

VENDOR = "openai"
DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1", "o4-mini", "gpt-5-mini")

_STATUS_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("invalid_request_error", "unsupported_country_region_territory",
          "Country, region, or territory not supported"),
    404: ("invalid_request_error", "not_found", "The requested resource was not found."),
    408: ("invalid_request_error", None, "Request timed out."),
    409: ("invalid_request_error", None, "Conflict."),
    422: ("invalid_request_error", None, "Unprocessable entity."),
    429: ("requests", "rate_limit_exceeded",
          "Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. "
          "Please try again in 1s."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The server is overloaded or not ready yet."),
    504: ("server_error", None, "Gateway timeout."),
}


def error(status: int, message: str | None = None, *, code: str | None = None, model: str | None = None) -> dict[str, Any]:
    etype, default_code, default_message = _STATUS_ERRORS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None, f"HTTP {status}")
    )
    if status == 429 and model and message is None:
        default_message = default_message.replace("for requests", f"for {model} in organization org-sim on requests")
    return {
        "error": {
            "message": message or default_message,
            "type": etype,
            "param": None,
            "code": code or default_code,
        }
    }


QUOTA_MESSAGE = ("You exceeded your current quota, please check your plan and billing details. For more "
                 "information on this error, read the docs: "
                 "https://platform.openai.com/docs/guides/error-codes/api-errors.")


def fault_error(fault: Any, model: str | None, call: Call | None = None) -> tuple[int, dict[str, Any]]:
    """(status, body) for a ``status``, ``quota`` or ``too_large`` fault, as OpenAI sends them:
    both an exhausted balance and a request above the per-minute token limit are 429s."""
    if fault.kind == "quota":
        return int(fault.status or 429), {"error": {"message": fault.message or QUOTA_MESSAGE,
                                                    "type": "insufficient_quota", "param": None,
                                                    "code": "insufficient_quota"}}
    if fault.kind == "too_large":
        asked = 52000 if call is None else max(52000, (call.max_tokens or 0) + len(call.prompt) // 4)
        message = (f"Request too large for {model or 'gpt-4o'} in organization org-sim on tokens per min (TPM): "
                   f"Limit 30000, Requested {asked}. The input or output tokens must be reduced in order to run "
                   "successfully. Visit https://platform.openai.com/account/rate-limits to learn more.")
        return int(fault.status or 429), {"error": {"message": fault.message or message, "type": "tokens",
                                                    "param": None, "code": "rate_limit_exceeded"}}
    status = int(fault.status or 500)
    return status, error(status, fault.message, model=model)


def stream_fault(fault: Any, model: str | None) -> bytes:
    """The in-stream form: a ``data: {"error": {...}}`` event."""
    return sse(fault_error(fault, model)[1])


def response_headers() -> dict[str, str]:
    return {"x-request-id": new_id("req_", 32), "openai-processing-ms": "1"}


def auth_error(headers: Any, query: dict[str, str], valid: frozenset[str] | None) -> WireError | None:
    if valid is None:
        return None
    auth = header(headers, "authorization") or ""
    key = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if not key:
        return WireError(401, error(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization "
            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            code=None,
        ))
    if key not in valid:
        return WireError(401, error(
            401,
            f"Incorrect API key provided: {mask_key(key)}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
        ))
    return None


def model_not_found(model: str) -> WireError:
    return WireError(404, error(
        404, f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found"
    ))


def bad_request(message: str, param: str | None = None) -> WireError:
    body = error(400, message)
    body["error"]["param"] = param
    return WireError(400, body)


# ---------------------------------------------------------------- requests


def _content_text(content: Any) -> tuple[list[str], int]:
    """(text parts, image count) of a message's content."""
    if content is None:
        return [], 0
    if isinstance(content, str):
        return [content], 0
    texts: list[str] = []
    images = 0
    if isinstance(content, list):
        for part in content:
            if not isinstance(part, dict):
                continue
            kind = part.get("type")
            if kind == "text":
                texts.append(str(part.get("text", "")))
            elif kind == "image_url":
                url = (part.get("image_url") or {}).get("url", "")
                if not url:
                    raise bad_request("Invalid image_url: the url is empty.", "messages")
                if url.startswith("data:") and ";base64," not in url:
                    raise bad_request("Invalid image data URL: expected base64 data.", "messages")
                images += 1
    return texts, images


def parse(body: dict[str, Any]) -> Call:
    model = body.get("model")
    if not model or not isinstance(model, str):
        raise bad_request("you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("[] is too short - 'messages'", "messages")
    system: list[str] = []
    prompt: list[str] = []
    images = 0
    for msg in messages:
        if not isinstance(msg, dict):
            raise bad_request("Invalid type for 'messages': expected an object.", "messages")
        texts, n = _content_text(msg.get("content"))
        images += n
        (system if msg.get("role") in ("system", "developer") else prompt).extend(texts)
    call = Call(
        vendor=VENDOR,
        model=model,
        system="\n\n".join(system),
        prompt="\n\n".join(prompt),
        images=images,
        stream=bool(body.get("stream")),
        include_usage=bool((body.get("stream_options") or {}).get("include_usage")),
        max_tokens=body.get("max_completion_tokens") or body.get("max_tokens"),
    )
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        if not isinstance(spec.get("schema"), dict) or not spec.get("name"):
            raise bad_request("Missing required parameter: 'response_format.json_schema.name'.",
                              "response_format.json_schema")
        call.schema = spec["schema"]
        call.json_mode = True
        call.extra_input_tokens = len(json.dumps(call.schema)) // 4
    elif fmt.get("type") == "json_object":
        call.json_mode = True
    return call


# --------------------------------------------------------------- responses


def _usage(gen: Generation) -> dict[str, Any]:
    """Totals include every part: prompt_tokens the cached, cache-write and audio tokens,
    completion_tokens the reasoning and audio tokens (cache writes appear only when made)."""
    u = gen.usage
    completion = u.output_tokens + u.reasoning_tokens + u.output_audio_tokens + u.output_image_tokens
    prompt_details: dict[str, Any] = {"cached_tokens": u.cached_tokens, "audio_tokens": u.input_audio_tokens}
    if u.cache_write_tokens:
        prompt_details["cache_write_tokens"] = u.cache_write_tokens
    return {
        "prompt_tokens": u.input_tokens,
        "completion_tokens": completion,
        "total_tokens": u.input_tokens + completion,
        "prompt_tokens_details": prompt_details,
        "completion_tokens_details": {
            "reasoning_tokens": u.reasoning_tokens,
            "audio_tokens": u.output_audio_tokens,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def usage_body(call: Call, gen: Generation) -> dict[str, Any]:
    """What genai-prices' extractor reads (``extract_usage(..., api_flavor="chat")``)."""
    return {"model": call.model, "usage": _usage(gen)}


def _finish(call: Call, gen: Generation) -> str:
    if gen.finish == "refusal":  # structured output carries a refusal message; plain text is filtered
        return "stop" if call.schema is not None else "content_filter"
    return "length" if gen.finish == "length" else "stop"


def _refusal(call: Call, gen: Generation) -> str | None:
    return REFUSAL_TEXT if gen.finish == "refusal" and call.schema is not None else None


def render(call: Call, gen: Generation) -> dict[str, Any]:
    return {
        "id": new_id("chatcmpl-", 29),
        "object": "chat.completion",
        "created": now(),
        "model": call.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None if gen.finish == "refusal" else gen.text,
                            "refusal": _refusal(call, gen), "annotations": []},
                "logprobs": None,
                "finish_reason": _finish(call, gen),
            }
        ],
        "usage": _usage(gen),
        "service_tier": "default",
        "system_fingerprint": "fp_sim",
    }


def stream(call: Call, gen: Generation, chunks: list[str]) -> StreamPlan:
    base = {
        "id": new_id("chatcmpl-", 29),
        "object": "chat.completion.chunk",
        "created": now(),
        "model": call.model,
        "service_tier": "default",
        "system_fingerprint": "fp_sim",
    }
    extra = {"usage": None} if call.include_usage else {}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        return sse({**base, "choices": [
            {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        ], **extra})

    plan = StreamPlan()
    plan.head.append(chunk({"role": "assistant", "content": "", "refusal": None}))
    plan.body = [chunk({"content": piece}) for piece in chunks]
    refusal = _refusal(call, gen)
    if refusal:
        plan.body.append(chunk({"refusal": refusal}))
    plan.tail.append(chunk({}, _finish(call, gen)))
    if call.include_usage:
        plan.tail.append(sse({**base, "choices": [], "usage": _usage(gen)}))
    plan.tail.append(b"data: [DONE]\n\n")
    return plan


def stream_error(status: int, message: str | None = None) -> bytes:
    return sse(error(status, message))


def broken_frame() -> bytes:
    return b'data: {"id":"chatcmpl-broken","object":"chat.completion.chunk","choices":[{"delta":{"content":"tru\n\n'


def list_models(models: list[str], query: dict[str, str] | None = None) -> dict[str, Any]:
    """``GET /v1/models``: every model in one page (the API does not paginate this list)."""
    return {"object": "list", "data": [get_model(m) for m in models]}


def get_model(model: str) -> dict[str, Any]:
    return {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "system"}


__all__ = [
    "DEFAULT_MODELS", "VENDOR", "auth_error", "bad_request", "broken_frame", "dumps", "error", "fault_error",
    "get_model", "list_models", "model_not_found", "parse", "render", "response_headers",
    "stream", "stream_error", "stream_fault", "usage_body",
]
