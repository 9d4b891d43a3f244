"""Anthropic messages on the official ``anthropic`` SDK.

One ``messages.create`` per call; SDK retries off. Structured output is forced
tool use (the tool's input schema is the task's schema, its input comes back
as the answer's JSON text). Usage is normalised: Anthropic's ``input_tokens``
exclude cache reads and writes, so they are added back. Every SDK error is
mapped in ``_map_error``. The SDK (about a second to import) loads lazily.
Declares the ``anthropic`` provider kind (``KIND``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from orchestrator.errors import ProviderError
from orchestrator.providers import _common as common
from orchestrator.providers.base import (Capabilities, ChatRequest, Completion, ProviderConfig, TokenUsage,
                                         listing_request)
from orchestrator.providers.kinds import ProviderKind

DEFAULT_MAX_TOKENS = 4096
LIST_PAGE_SIZE = 100  # models per page when listing (the API allows 1-1000)

_NO_VISION = ("claude-2", "claude-instant", "claude-3-5-haiku")


def anthropic_capabilities(model: str) -> Capabilities:
    return Capabilities(vision=not model.lower().startswith(_NO_VISION), streaming=True, json_schema=True)


KIND = ProviderKind(
    name="anthropic", label="Anthropic", adapter_factory=lambda: AnthropicAdapter(),
    model_capabilities=anthropic_capabilities, default_base_url="https://api.anthropic.com",
    default_key_env="ANTHROPIC_API_KEY", genai_prices_id="anthropic", sdk_loggers=("anthropic",),
    color="#F58518",
)
LABEL = KIND.label
_STOP = {"end_turn": "stop", "stop_sequence": "stop", "tool_use": "stop", "max_tokens": "length",
         "model_context_window_exceeded": "length", "refusal": "content_filter"}
# error event types inside a stream -> the HTTP status they stand for
_EVENT_STATUS = {"overloaded_error": 529, "api_error": 500, "rate_limit_error": 429, "timeout_error": 504,
                 "authentication_error": 401, "permission_error": 403, "not_found_error": 404,
                 "invalid_request_error": 400, "request_too_large": 413, "billing_error": 402}


class AnthropicAdapter:
    kind = KIND.name

    def __init__(self) -> None:
        self._clients = common.ClientCache()

    # ------------------------------------------------------------------ client

    @staticmethod
    def _base_url(config: ProviderConfig) -> str:
        return (config.base_url or KIND.default_base_url or "").rstrip("/")

    def _client(self, config: ProviderConfig, request: ChatRequest) -> Any:
        if not config.api_key:
            # without an explicit key the SDK would look in the environment and profile files
            raise common.no_key(label=LABEL, provider=config.name, model=request.model)
        base_url = self._base_url(config)

        def build() -> Any:
            import anthropic

            from orchestrator.providers.logging_guard import install_log_scrubber, register_secret

            install_log_scrubber()
            register_secret(config.api_key)
            return anthropic.Anthropic(api_key=config.api_key, base_url=base_url, timeout=config.timeout_s,
                                       max_retries=0)

        return self._clients.get(self.kind, base_url, config.api_key, config.timeout_s, build)

    # ---------------------------------------------------------------- request

    @staticmethod
    def _params(request: ChatRequest) -> dict[str, Any]:
        content: list[dict[str, Any]] = [
            {"type": "image", "source": {"type": "base64", "media_type": img.mime_type,
                                         "data": base64.b64encode(img.data).decode("ascii")}}
            for img in request.images
        ]
        content.append({"type": "text", "text": request.prompt})
        params: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens if request.max_tokens is not None else DEFAULT_MAX_TOKENS,
            "messages": [{"role": role, "content": text} for role, text in request.history]
            + [{"role": "user", "content": content}],
        }
        if request.system:
            params["system"] = request.system
        # ``temperature`` is deliberately not sent: this SDK's messages.create has no such
        # parameter any more (current Claude models fix sampling), so it would be a TypeError.
        if request.json_schema is not None:
            params["tools"] = [{
                "name": request.schema_name,
                "description": f"Record the {request.schema_name.replace('_', ' ')} result as structured data.",
                "input_schema": request.json_schema,
            }]
            params["tool_choice"] = {"type": "tool", "name": request.schema_name}
        return params

    # ------------------------------------------------------------------ calls

    def complete(self, config: ProviderConfig, request: ChatRequest) -> Completion:
        client = self._client(config, request)
        params = {**self._params(request), "timeout": config.timeout_s}
        mapper = self._mapper(config, request)
        msg = common.call_mapped(lambda: client.messages.create(**params), mapper)
        content = getattr(msg, "content", None)
        if not isinstance(content, list):
            raise common.malformed(label=LABEL, provider=config.name, model=request.model)
        texts: list[str] = []
        for block in content:
            btype = getattr(block, "type", None)
            if request.json_schema is not None and btype == "tool_use" and block.name == request.schema_name:
                texts = [json.dumps(block.input, ensure_ascii=False)]
                break
            if btype == "text":
                texts.append(block.text)
        finish = self._finish(config, request, getattr(msg, "stop_reason", None))
        usage = _usage(getattr(msg, "usage", None))
        return Completion(text="".join(texts), usage=usage, finish_reason=finish, model=getattr(msg, "model", None))

    def stream(self, config: ProviderConfig, request: ChatRequest) -> Iterator[str | Completion]:
        client = self._client(config, request)
        params = {**self._params(request), "timeout": config.timeout_s}
        params["stream"] = True
        mapper = self._mapper(config, request)
        sdk_stream = common.call_mapped(lambda: client.messages.create(**params), mapper)
        structured = request.json_schema is not None
        texts: list[str] = []
        tool_json: list[str] = []
        tool_index: int | None = None
        usage = TokenUsage()
        raw_start: Any = None
        stop_reason: str | None = None
        stopped = False
        model: str | None = None
        try:
            for event in common.iter_mapped(iter(sdk_stream), mapper):
                etype = getattr(event, "type", None)
                if etype == "message_start":
                    model = getattr(event.message, "model", None)
                    raw_start = getattr(event.message, "usage", None)
                    usage = _usage(raw_start)
                elif etype == "content_block_start":
                    block = event.content_block
                    if structured and getattr(block, "type", None) == "tool_use" and block.name == request.schema_name:
                        tool_index = event.index
                elif etype == "content_block_delta":
                    delta = event.delta
                    dtype = getattr(delta, "type", None)
                    if dtype == "text_delta" and not structured:
                        texts.append(delta.text)
                        yield delta.text
                    elif dtype == "input_json_delta" and event.index == tool_index and delta.partial_json:
                        tool_json.append(delta.partial_json)
                        yield delta.partial_json
                    elif dtype == "text_delta":
                        texts.append(delta.text)  # prose before the tool call; not the answer
                elif etype == "message_delta":
                    stop_reason = getattr(event.delta, "stop_reason", None) or stop_reason
                    usage = _usage(getattr(event, "usage", None), start=raw_start)
                elif etype == "message_stop":
                    stopped = True
        finally:
            common.close_quietly(sdk_stream)
        text = "".join(tool_json) if tool_index is not None else "".join(texts)
        finish = self._finish(config, request, stop_reason) if (stopped and stop_reason) else None
        yield Completion(text=text, usage=usage, finish_reason=finish, model=model)

    def list_models(self, config: ProviderConfig) -> list[str]:
        """The ids ``GET /v1/models`` lists (``client.models.list()``, every page), newest first."""
        request = listing_request()
        client = self._client(config, request)
        mapper = self._mapper(config, request)
        try:
            listed = common.call_mapped(
                lambda: [m.id for m in client.models.list(limit=LIST_PAGE_SIZE, timeout=config.timeout_s)], mapper)
        except ProviderError as err:
            failure = common.listing_error(err, label=LABEL, base_url=self._base_url(config))
        else:
            return common.model_names(listed)
        raise failure

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _finish(config: ProviderConfig, request: ChatRequest, stop_reason: str | None) -> str | None:
        if stop_reason == "refusal":
            raise ProviderError(f"{LABEL} declined to answer (refusal).", provider=config.name,
                                model=request.model, kind="content_filter", retryable=False)
        if not stop_reason:
            return None
        return _STOP.get(stop_reason, stop_reason)

    def _mapper(self, config: ProviderConfig, request: ChatRequest) -> common.Mapper:
        return lambda exc, in_stream: self._map_error(exc, config, request, in_stream)

    def _map_error(self, exc: BaseException, config: ProviderConfig, request: ChatRequest,
                   in_stream: bool) -> ProviderError:
        """The one place Anthropic SDK (and raw httpx2) exceptions become ProviderErrors."""
        import anthropic

        provider, model = config.name, request.model
        if isinstance(exc, anthropic.APIStatusError):
            status = int(getattr(exc, "status_code", 0) or 0)
            detail = common.vendor_detail(exc.body, [config.api_key])
            if status < 400:  # an error event inside a 200 stream
                etype = _error_type(exc.body)
                status = _EVENT_STATUS.get(etype, 0)
                if not status:
                    return common.stream_broken(label=LABEL, provider=provider, model=model, why=" (error event)")
            headers = getattr(getattr(exc, "response", None), "headers", None)
            refined = common.refine_kind(status, code=_error_type(exc.body), message=_error_field(exc.body, "message"))
            return common.status_error(status, label=LABEL, provider=provider, model=model,
                                       retry_after=common.parse_retry_after(headers), detail=detail,
                                       refined=refined)
        if isinstance(exc, anthropic.APIResponseValidationError):
            return common.malformed(label=LABEL, provider=provider, model=model)
        kind = common.transport_kind(exc)
        if kind is not None:
            return common.transport_error(kind, label=LABEL, provider=provider, model=model,
                                          base_url=self._base_url(config), timeout_s=config.timeout_s,
                                          in_stream=in_stream)
        if isinstance(exc, json.JSONDecodeError):
            if in_stream:
                return common.stream_broken(label=LABEL, provider=provider, model=model, why=" (malformed event)")
            return common.malformed(label=LABEL, provider=provider, model=model)
        return common.unexpected(exc, label=LABEL, provider=provider, model=model)


def _error_field(body: Any, name: str) -> str:
    """``type`` or ``message`` of an Anthropic error body ``{"type": "error", "error": {...}}``."""
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            return str(inner.get(name) or "")
        return str(body.get(name) or "")
    return ""


def _error_type(body: Any) -> str:
    return _error_field(body, "type")


def _usage(raw: Any, start: Any = None) -> TokenUsage:
    """Anthropic usage -> our convention (input includes cache reads and writes), read as
    genai-prices' extractor reads it: cache writes split into 5-minute and 1-hour ones.

    ``message_delta`` usage is cumulative; its counts, when present, replace the
    ones from ``message_start``."""
    read = common.UsageReader(raw, fallback=start)
    fresh = read.get("input_tokens", required=True)
    cache_read = read.get("cache_read_input_tokens")
    write = read.get("cache_creation_input_tokens")
    details = common.only_nonzero({
        "cache_write_5m_tokens": read.get("cache_creation", "ephemeral_5m_input_tokens"),
        "cache_write_1h_tokens": read.get("cache_creation", "ephemeral_1h_input_tokens"),
    })
    return TokenUsage(
        input_tokens=fresh + cache_read + write,
        output_tokens=read.get("output_tokens", required=True),
        cached_tokens=cache_read,
        cache_write_tokens=write,
        reasoning_tokens=read.get("output_tokens_details", "thinking_tokens"),
        details=details,
        problem=read.problem,
    )
