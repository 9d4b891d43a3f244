"""The OpenAI Chat Completions wire format, as the gateway (``/v1``) reads and writes it.

Requests: every parameter the gateway honours is read here (``model``, ``messages``,
``stream``, ``stream_options.include_usage``, ``max_tokens`` / ``max_completion_tokens``,
``temperature``). A parameter that asks for something it cannot do (``n`` > 1, tools,
JSON mode, stop sequences, logprobs, sampling knobs other than temperature, images) is
refused with a 400 that names it, never silently dropped: a client that asked for JSON
and got prose, or two choices and got one, would be worse off than one told "no". Only
parameters that change nothing about the answer (``user``, ``seed``, ``metadata``...) are
accepted and ignored, as is a refused parameter sent with its neutral value (``n: 1``,
``top_p: 1``, ``tools: []``). An unknown parameter is refused, as OpenAI does.

Responses: ``chat.completion`` objects, ``chat.completion.chunk`` events and OpenAI's
error objects ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from orchestrator.errors import InputRejected, InputTooLarge, NotFound, PermissionDenied, QuotaExceeded
from orchestrator.http import errors
from orchestrator.money import usd_str
from orchestrator.result import Result

AUTO = "auto"

# changes nothing about the answer: accepted and ignored
_IGNORED = frozenset({"user", "seed", "metadata", "safety_identifier", "prompt_cache_key", "parallel_tool_calls"})


def _neutral(*values: Any):
    """Absent, or exactly one of these values (``True`` is not ``1`` here)."""
    return lambda v: v is None or any(type(v) is type(x) and v == x for x in values)


_UNSUPPORTED: dict[str, tuple[Any, str]] = {
    # name: (is the value neutral?, why it is refused otherwise)
    "n": (_neutral(1), "Only one choice per request is supported (n=1)."),
    "tools": (lambda v: not v, "Tool calling is not supported by this gateway."),
    "functions": (lambda v: not v, "Function calling is not supported by this gateway."),
    "tool_choice": (lambda v: v in (None, "none", "auto"), "Tool calling is not supported by this gateway."),
    "function_call": (lambda v: v in (None, "none", "auto"), "Function calling is not supported by this gateway."),
    "response_format": (lambda v: v is None or v == {"type": "text"},
                        "Only text answers are supported: response_format json_object and json_schema are not."),
    "stop": (lambda v: not v, "Stop sequences are not supported by this gateway."),
    "logprobs": (_neutral(False), "Log probabilities are not available from this gateway."),
    "top_logprobs": (_neutral(0), "Log probabilities are not available from this gateway."),
    "logit_bias": (lambda v: not v, "logit_bias is not supported by this gateway."),
    "top_p": (_neutral(1, 1.0), "Only temperature can be set; top_p must be left at 1."),
    "frequency_penalty": (_neutral(0, 0.0), "frequency_penalty is not supported; leave it at 0."),
    "presence_penalty": (_neutral(0, 0.0), "presence_penalty is not supported; leave it at 0."),
    "store": (_neutral(False), "Stored completions are not supported (store must be false)."),
    "modalities": (lambda v: v in (None, ["text"]), "Only text output is supported (modalities: ['text'])."),
    "audio": (lambda v: v is None, "Audio output is not supported by this gateway."),
    "prediction": (lambda v: v is None, "Predicted outputs are not supported by this gateway."),
    "reasoning_effort": (lambda v: v is None, "reasoning_effort is not supported: the route sets each model's "
                                              "parameters."),
    "verbosity": (lambda v: v is None, "verbosity is not supported by this gateway."),
    "web_search_options": (lambda v: v is None, "Web search is not supported by this gateway."),
    "service_tier": (lambda v: v in (None, "auto", "default"), "Only the default service tier is available."),
}
_HONOURED = frozenset({"model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens",
                       "temperature"})
_MESSAGE_EXTRAS = ("tool_calls", "function_call", "audio", "tool_call_id")


class BadParameter(InputRejected):
    """A request parameter the gateway refuses: HTTP 400 naming ``param``."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class ChatCall:
    """A checked Chat Completions request: what the pipeline gets."""

    model: str | None  # None: "auto", the plan's routing for the chat task
    messages: list[dict[str, Any]]
    stream: bool = False
    include_usage: bool = False
    options: dict[str, Any] = field(default_factory=dict)  # max_tokens, temperature

    @property
    def model_label(self) -> str:
        return self.model or AUTO


def parse_chat_request(body: Any) -> ChatCall:
    """Check a Chat Completions body; ``BadParameter`` names the first problem found."""
    if not isinstance(body, dict):
        raise BadParameter("The request body must be a JSON object.")
    for name, value in body.items():
        if name in _HONOURED or name in _IGNORED:
            continue
        if name not in _UNSUPPORTED:
            raise BadParameter(f"Unrecognized request argument supplied: {str(name)[:64]}", param=str(name)[:64])
        neutral, why = _UNSUPPORTED[name]
        if not neutral(value):
            raise BadParameter(why, param=name)
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise BadParameter("Name a model: 'auto' (your plan's routing) or 'provider/model' (see GET /v1/models).",
                           param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadParameter("messages must be a non-empty list of {role, content} objects.", param="messages")
    for i, msg in enumerate(messages):
        extra = next((k for k in _MESSAGE_EXTRAS if isinstance(msg, dict) and msg.get(k) is not None), None)
        if extra:
            raise BadParameter(f"messages[{i}].{extra}: tool and audio messages are not supported; send text.",
                               param=f"messages[{i}].{extra}")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise BadParameter("stream must be true or false.", param="stream")
    include_usage = _include_usage(body.get("stream_options"), bool(stream))
    return ChatCall(model=None if model.strip() == AUTO else model.strip(), messages=messages,
                    stream=bool(stream), include_usage=include_usage, options=_options(body))


def _include_usage(options: Any, stream: bool) -> bool:
    if options is None:
        return False
    if not stream:
        raise BadParameter("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                           param="stream_options")
    if not isinstance(options, dict):
        raise BadParameter("stream_options must be an object.", param="stream_options")
    include = options.get("include_usage")
    if include is not None and not isinstance(include, bool):
        raise BadParameter("stream_options.include_usage must be true or false.", param="stream_options.include_usage")
    return bool(include)


def _options(body: dict[str, Any]) -> dict[str, Any]:
    """max_tokens and temperature for the pipeline (which checks their ranges)."""
    options: dict[str, Any] = {}
    cap, legacy = body.get("max_completion_tokens"), body.get("max_tokens")
    if cap is not None and legacy is not None and cap != legacy:
        raise BadParameter("Send max_completion_tokens or max_tokens, not both with different values.",
                           param="max_tokens")
    chosen, param = (cap, "max_completion_tokens") if cap is not None else (legacy, "max_tokens")
    if chosen is not None:
        if isinstance(chosen, bool) or not isinstance(chosen, int) or chosen < 1:
            raise BadParameter(f"{param} must be a positive whole number.", param=param)
        options["max_tokens"] = chosen
    temperature = body.get("temperature")
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not 0 <= temperature <= 2:
            raise BadParameter("temperature must be a number from 0 to 2.", param="temperature")
        options["temperature"] = temperature
    return options


# ------------------------------------------------------------------ responses


def served_model(result: Result) -> str:
    return f"{result.provider}/{result.model}"


def usage_of(result: Result) -> dict[str, Any]:
    """OpenAI's usage object. Our ``TokenUsage`` already counts like OpenAI: input includes
    cached reads and cache writes, output includes reasoning."""
    u = result.usage
    return {
        "prompt_tokens": u.input_tokens,
        "completion_tokens": u.output_tokens,
        "total_tokens": u.input_tokens + u.output_tokens,
        "prompt_tokens_details": {"cached_tokens": u.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": u.reasoning_tokens},
    }


def extras_of(result: Result) -> dict[str, Any]:
    """The non-standard ``orchestrator`` field: what served the answer and what it cost (money as
    decimal strings; ``cost_usd`` null when the model is unpriced)."""
    return {"provider": result.provider, "provider_kind": result.provider_kind, "request_id": result.request_id,
            "cost_usd": usd_str(result.cost_usd), "charged_usd": usd_str(result.charged_usd),
            "cached": result.cached, "label": result.label}


def completion_of(result: Result) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{result.request_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": served_model(result),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result.text, "refusal": None},
                     "logprobs": None, "finish_reason": result.finish_reason or "stop"}],
        "usage": usage_of(result),
        "orchestrator": extras_of(result),
    }


def chunk(chunk_id: str, created: int, model: str, delta: dict[str, Any] | None,
          finish_reason: str | None = None, **extra: Any) -> dict[str, Any]:
    """One ``chat.completion.chunk``; ``delta=None`` is the usage chunk (empty choices)."""
    body: dict[str, Any] = {"id": chunk_id, "object": "chat.completion.chunk", "created": created, "model": model,
                            "choices": [] if delta is None else
                            [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}
    body.update(extra)
    return body


def model_entry(model_id: str, owned_by: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 0, "owned_by": owned_by}


# --------------------------------------------------------------------- errors

# status -> (OpenAI error type, code)
_ERROR_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "permission_denied"),
    404: ("invalid_request_error", "not_found"),
    413: ("invalid_request_error", "request_too_large"),
    429: ("insufficient_quota", "insufficient_quota"),
    502: ("server_error", "provider_error"),
    503: ("server_error", "service_unavailable"),
}
# an SDK retries a 429 after a few seconds; a quota that resets later than this will not have reset
_SDK_RETRY_HORIZON_S = 60


def error_object(message: str, *, type_: str, param: str | None = None, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def openai_error(exc: Exception, *, model_named: bool = False) -> tuple[int, dict[str, Any], dict[str, str]]:
    """(status, body, headers) for an exception, in OpenAI's error shape. Statuses and messages
    come from ``http/errors.py`` (scrubbed; an unexpected error gets a generic message).
    ``model_named``: the request named a model, so a 403/404 is about that model."""
    status = errors.status_of(exc)
    message = errors.body_of(exc)["error"]
    headers = dict(errors.headers_of(exc))
    type_, code = _ERROR_KINDS.get(status, ("server_error", "internal_error"))
    param = getattr(exc, "param", None)
    if model_named and isinstance(exc, (PermissionDenied, NotFound)):
        param, code = "model", ("model_not_allowed" if isinstance(exc, PermissionDenied) else "model_not_found")
    if isinstance(exc, InputTooLarge):
        param = param or "messages"
    if isinstance(exc, QuotaExceeded) and int(headers.get("Retry-After", "0")) > _SDK_RETRY_HORIZON_S:
        headers["x-should-retry"] = "false"  # the OpenAI SDKs' own retry would only fail again
    return status, error_object(message, type_=type_, param=param, code=code), headers
