"""OpenAI chat completions, for OpenAI itself and OpenAI-compatible servers
(Ollama, vLLM, llama.cpp, LM Studio), on the official ``openai`` SDK.

One ``chat.completions.create`` per call; SDK retries off (the pipeline owns
retries); structured output via ``response_format`` json_schema (strict);
streams ask for usage (``stream_options.include_usage``). Every SDK error is
mapped in ``_map_error``. The SDK is imported lazily, on the first call.

Declares two provider kinds (``KINDS``): ``openai`` and ``openai_compatible``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from orchestrator.errors import ConfigError, ProviderError
from orchestrator.providers import _common as common
from orchestrator.providers.base import (Capabilities, ChatRequest, Completion, ProviderConfig, TokenUsage,
                                         listing_request)
from orchestrator.providers.kinds import ProviderKind
from orchestrator.tokens import estimate_tokens

NO_KEY_PLACEHOLDER = "not-needed"

# Reasoning models accept only the default temperature.
_REASONING_PREFIXES = ("gpt-5", "o1", "o3", "o4")
_NO_VISION = ("gpt-3.5", "gpt-4-0", "gpt-4-32k", "o1-mini", "o3-mini", "davinci", "babbage", "text-",
              "gpt-4o-audio", "gpt-4o-mini-audio", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
_COMPAT_VISION_HINTS = ("llava", "vision", "-vl", "gpt-4o", "bakllava", "moondream", "pixtral", "gemma3",
                        "minicpm-v", "llama3.2-vision")
_FINISH = {"stop": "stop", "length": "length", "tool_calls": "stop", "function_call": "stop",
           "content_filter": "content_filter"}


def openai_capabilities(model: str) -> Capabilities:
    name = model.lower()
    vision = (name != "gpt-4" and not name.startswith(_NO_VISION)
              and "embedding" not in name and "tts" not in name)
    return Capabilities(vision=vision, streaming=True, json_schema=True)


def compatible_capabilities(model: str) -> Capabilities:
    """Vision only when the model's name says so; structured output is asked for the
    same way (most servers honour ``response_format`` json_schema)."""
    name = model.lower()
    return Capabilities(vision=any(h in name for h in _COMPAT_VISION_HINTS), streaming=True, json_schema=True)


OPENAI = ProviderKind(
    name="openai", label="OpenAI", adapter_factory=lambda: OpenAIAdapter(),
    model_capabilities=openai_capabilities, default_base_url="https://api.openai.com/v1",
    default_key_env="OPENAI_API_KEY", genai_prices_id="openai", sdk_loggers=("openai",), color="#54A24B",
)
OPENAI_COMPATIBLE = ProviderKind(
    name="openai_compatible", label="OpenAI-compatible server", adapter_factory=lambda: OpenAICompatibleAdapter(),
    model_capabilities=compatible_capabilities, needs_key=False, requires_base_url=True,
    sdk_loggers=("openai",), color="#72B7B2",
)
KINDS = (OPENAI, OPENAI_COMPATIBLE)


def is_reasoning_model(model: str) -> bool:
    return model.lower().startswith(_REASONING_PREFIXES)


def _data_url(mime_type: str, data: bytes) -> str:
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


class OpenAIAdapter:
    """Kind ``openai``: api.openai.com unless a base URL is configured."""

    kind = OPENAI.name
    label = OPENAI.label

    def __init__(self) -> None:
        self._clients = common.ClientCache()

    # ------------------------------------------------------------------ client

    def _label(self, config: ProviderConfig) -> str:
        return self.label

    def _base_url(self, config: ProviderConfig) -> str:
        return (config.base_url or OPENAI.default_base_url or "").rstrip("/")

    def _api_key(self, config: ProviderConfig, request: ChatRequest) -> str:
        if not config.api_key:
            raise common.no_key(label=self._label(config), provider=config.name, model=request.model)
        return config.api_key

    def _client(self, config: ProviderConfig, request: ChatRequest) -> Any:
        base_url = self._base_url(config)
        api_key = self._api_key(config, request)

        def build() -> Any:
            import openai

            from orchestrator.providers.logging_guard import install_log_scrubber, register_secret

            install_log_scrubber()
            register_secret(config.api_key)
            client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=config.timeout_s, max_retries=0)
            # OPENAI_ORG_ID / OPENAI_PROJECT_ID must not add headers the key was not issued for.
            client.organization = None
            client.project = None
            return client

        return self._clients.get(self.kind, base_url, api_key, config.timeout_s, build)

    # ---------------------------------------------------------------- request

    def _max_tokens_param(self) -> str:
        return "max_completion_tokens"

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        content: Any = request.prompt
        if request.images:
            content = [{"type": "text", "text": request.prompt}] + [
                {"type": "image_url", "image_url": {"url": _data_url(img.mime_type, img.data)}}
                for img in request.images
            ]
        messages: list[dict[str, Any]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        messages.extend({"role": role, "content": text} for role, text in request.history)
        messages.append({"role": "user", "content": content})
        params: dict[str, Any] = {"model": request.model, "messages": messages}
        if request.max_tokens is not None:
            params[self._max_tokens_param()] = request.max_tokens
        if request.temperature is not None and not is_reasoning_model(request.model):
            params["temperature"] = request.temperature
        if request.json_schema is not None:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.json_schema, "strict": True},
            }
        return params

    # ------------------------------------------------------------------ calls

    def complete(self, config: ProviderConfig, request: ChatRequest) -> Completion:
        client = self._client(config, request)
        params = {**self._params(request), "timeout": config.timeout_s}
        mapper = self._mapper(config, request)
        resp = common.call_mapped(lambda: client.chat.completions.create(**params), mapper)
        choices = getattr(resp, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise common.malformed(label=self._label(config), provider=config.name, model=request.model)
        choice = choices[0]
        message = choice.message
        self._check_refusal(config, request, getattr(message, "refusal", None), choice.finish_reason)
        text = (message.content if message is not None else None) or ""
        usage = self._usage(getattr(resp, "usage", None))
        if usage is None:
            usage = self._estimate(request, text)
        finish = choice.finish_reason
        return Completion(text=text, usage=usage, finish_reason=_FINISH.get(finish, finish) if finish else None,
                          model=getattr(resp, "model", None))

    def stream(self, config: ProviderConfig, request: ChatRequest) -> Iterator[str | Completion]:
        client = self._client(config, request)
        params = {**self._params(request), "timeout": config.timeout_s}
        params["stream"] = True
        params["stream_options"] = {"include_usage": True}
        mapper = self._mapper(config, request)
        sdk_stream = common.call_mapped(lambda: client.chat.completions.create(**params), mapper)
        parts: list[str] = []
        finish: str | None = None
        refusal: list[str] = []
        usage: TokenUsage | None = None
        model: str | None = None
        try:
            for chunk in common.iter_mapped(iter(sdk_stream), mapper):
                model = getattr(chunk, "model", None) or model
                if getattr(chunk, "usage", None) is not None:
                    usage = self._usage(chunk.usage)
                for choice in getattr(chunk, "choices", None) or []:
                    delta = choice.delta
                    if delta is not None and delta.content:
                        parts.append(delta.content)
                        yield delta.content
                    if delta is not None and getattr(delta, "refusal", None):
                        refusal.append(delta.refusal)
                    if choice.finish_reason:
                        finish = choice.finish_reason
        finally:
            common.close_quietly(sdk_stream)
        self._check_refusal(config, request, "".join(refusal) or None, finish)
        text = "".join(parts)
        finish_reason = _FINISH.get(finish, finish) if finish else None
        if usage is None:
            if self.kind == OPENAI.name:
                # OpenAI always sends the usage chunk last: without it the stream was cut.
                finish_reason = None
            usage = self._estimate(request, text)
        yield Completion(text=text, usage=usage, finish_reason=finish_reason, model=model)

    def list_models(self, config: ProviderConfig) -> list[str]:
        """The ids ``GET {base_url}/models`` lists (``client.models.list()``), in the server's order."""
        request = listing_request()
        client = self._client(config, request)
        mapper = self._mapper(config, request)
        try:
            listed = common.call_mapped(lambda: [m.id for m in client.models.list(timeout=config.timeout_s)],
                                        mapper)
        except ProviderError as err:
            failure = common.listing_error(err, label=self._label(config), base_url=self._base_url(config))
        else:
            return common.model_names(listed)
        raise failure

    # ---------------------------------------------------------------- helpers

    def _check_refusal(self, config: ProviderConfig, request: ChatRequest, refusal: str | None,
                       finish: str | None) -> None:
        if refusal or finish == "content_filter":
            raise ProviderError(f"{self._label(config)} declined to answer (content filter or refusal).",
                                provider=config.name, model=request.model, kind="content_filter",
                                retryable=False)

    @staticmethod
    def _usage(raw: Any) -> TokenUsage | None:
        """Chat-completions usage, read field for field as genai-prices' ``chat`` extractor does."""
        if raw is None:
            return None
        read = common.UsageReader(raw)
        prompt = read.get("prompt_tokens", required=True)
        completion = read.get("completion_tokens", required=True)
        details = common.only_nonzero({
            "input_audio_tokens": read.get("prompt_tokens_details", "audio_tokens"),
            "output_audio_tokens": read.get("completion_tokens_details", "audio_tokens"),
        })
        return TokenUsage(
            input_tokens=prompt,  # already includes cached, cache-write and audio tokens
            output_tokens=completion,  # already includes reasoning and audio tokens
            cached_tokens=read.get("prompt_tokens_details", "cached_tokens"),
            cache_write_tokens=read.get("prompt_tokens_details", "cache_write_tokens"),
            reasoning_tokens=read.get("completion_tokens_details", "reasoning_tokens"),
            details=details,
            problem=read.problem,
        )

    @staticmethod
    def _estimate(request: ChatRequest, text: str) -> TokenUsage:
        """For servers that report no usage (some OpenAI-compatible ones)."""
        schema = json.dumps(request.json_schema) if request.json_schema else ""
        return TokenUsage(
            input_tokens=estimate_tokens(request.system) + estimate_tokens(request.prompt) + estimate_tokens(schema),
            output_tokens=estimate_tokens(text),
        )

    def _mapper(self, config: ProviderConfig, request: ChatRequest) -> common.Mapper:
        return lambda exc, in_stream: self._map_error(exc, config, request, in_stream)

    def _map_error(self, exc: BaseException, config: ProviderConfig, request: ChatRequest,
                   in_stream: bool) -> ProviderError:
        """The one place OpenAI SDK (and httpx2) exceptions become ProviderErrors."""
        import openai

        label, provider, model = self._label(config), config.name, request.model
        status = getattr(exc, "status_code", None)
        if isinstance(exc, openai.APIStatusError) and isinstance(status, int):
            headers = getattr(getattr(exc, "response", None), "headers", None)
            code, message = _error_code(exc.body)
            return common.status_error(status, label=label, provider=provider, model=model,
                                       retry_after=common.parse_retry_after(headers),
                                       detail=common.vendor_detail(exc.body, [config.api_key]),
                                       refined=common.refine_kind(status, code=code, message=message))
        if isinstance(exc, openai.APIResponseValidationError):
            return common.malformed(label=label, provider=provider, model=model)
        if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIConnectionError):
            # an error event inside a stream: {"error": {...}}, no HTTP status of its own
            return self._stream_error_event(exc.body, config, request)
        kind = common.transport_kind(exc)
        if kind is not None:
            return common.transport_error(kind, label=label, provider=provider, model=model,
                                          base_url=self._base_url(config), timeout_s=config.timeout_s,
                                          in_stream=in_stream)
        if isinstance(exc, json.JSONDecodeError):
            if in_stream:
                return common.stream_broken(label=label, provider=provider, model=model, why=" (malformed event)")
            return common.malformed(label=label, provider=provider, model=model)
        return common.unexpected(exc, label=label, provider=provider, model=model)

    def _stream_error_event(self, body: Any, config: ProviderConfig, request: ChatRequest) -> ProviderError:
        label = self._label(config)
        inner = body.get("error", body) if isinstance(body, dict) else {}
        inner = inner if isinstance(inner, dict) else {}
        etype, code = str(inner.get("type") or ""), str(inner.get("code") or "")
        status = {"server_error": 500, "rate_limit_exceeded": 429, "requests": 429, "tokens": 429,
                  "invalid_api_key": 401, "insufficient_quota": 429}.get(code or etype)
        if status is not None:
            return common.status_error(status, label=label, provider=config.name, model=request.model,
                                       detail=common.vendor_detail(inner, [config.api_key]),
                                       refined=common.refine_kind(status, code=f"{code} {etype}",
                                                                  message=str(inner.get("message") or "")))
        return common.stream_broken(label=label, provider=config.name, model=request.model,
                                    why=" (error event)")


class OpenAICompatibleAdapter(OpenAIAdapter):
    """Kind ``openai_compatible``: a self-hosted server speaking OpenAI's format.

    The base URL is required; the key is optional (local servers ignore it,
    the SDK insists on one)."""

    kind = OPENAI_COMPATIBLE.name
    label = OPENAI_COMPATIBLE.label

    def _label(self, config: ProviderConfig) -> str:
        return config.name or self.label

    def _base_url(self, config: ProviderConfig) -> str:
        if not config.base_url:
            raise ConfigError(f"Provider '{config.name}' (OpenAI-compatible) needs a base URL, "
                              "e.g. http://localhost:11434/v1 for Ollama.")
        return config.base_url.rstrip("/")

    def _api_key(self, config: ProviderConfig, request: ChatRequest) -> str:
        return config.api_key or NO_KEY_PLACEHOLDER

    def _max_tokens_param(self) -> str:
        # llama.cpp, older vLLM and LM Studio know max_tokens; not all know max_completion_tokens
        return "max_tokens"


def _error_code(body: Any) -> tuple[str, str]:
    """(code and type, message) of an OpenAI error body ``{"error": {...}}`` or its inner object."""
    inner = body.get("error", body) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        return "", ""
    return f"{inner.get('code') or ''} {inner.get('type') or ''}".strip(), str(inner.get("message") or "")
