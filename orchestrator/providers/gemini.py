"""Gemini (Google AI) on the official ``google-genai`` SDK (never the retired
``google-generativeai``).

One ``generate_content`` / ``generate_content_stream`` per call. The SDK's own
second chances are off: no ``HttpRetryOptions`` (the default is no retry), and
``automatic_continuation=False`` (otherwise a dropped stream is silently
re-requested) and automatic function calling disabled. Base URL and API
version are always explicit, so ``GOOGLE_GEMINI_BASE_URL`` /
``GOOGLE_GENAI_API_VERSION`` / ``GOOGLE_GENAI_USE_VERTEXAI`` cannot redirect a
client. google-genai raises raw httpx2 (or httpx) transport errors; they are
mapped in ``_map_error`` with the SDK's own. Keys travel in the
``x-goog-api-key`` header; no URL is ever put in a message. Declares the
``gemini`` provider kind (``KIND``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from orchestrator.errors import ProviderError
from orchestrator.providers import _common as common
from orchestrator.providers.base import (Capabilities, ChatRequest, Completion, ProviderConfig, TokenUsage,
                                         listing_request)
from orchestrator.providers.kinds import ProviderKind

API_VERSION = "v1beta"
LIST_PAGE_SIZE = 100  # models per page when listing

_NO_VISION = ("gemini-1.0", "gemini-pro", "text-", "embedding", "gemini-embedding", "aqa")


def gemini_capabilities(model: str) -> Capabilities:
    name = model.lower().removeprefix("models/")
    return Capabilities(vision=not name.startswith(_NO_VISION), streaming=True, json_schema=True)


KIND = ProviderKind(
    name="gemini", label="Gemini", adapter_factory=lambda: GeminiAdapter(),
    model_capabilities=gemini_capabilities, default_base_url="https://generativelanguage.googleapis.com/",
    default_key_env="GEMINI_API_KEY", genai_prices_id="google",
    sdk_loggers=("google_genai", "google.genai", "google.auth"), color="#4C78A8",
)
LABEL = KIND.label
_FINISH = {"STOP": "stop", "MAX_TOKENS": "length"}
_FILTERED = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
             "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "LANGUAGE"}


class GeminiAdapter:
    kind = KIND.name

    def __init__(self) -> None:
        self._clients = common.ClientCache()

    # ------------------------------------------------------------------ client

    @staticmethod
    def _base_url(config: ProviderConfig) -> str:
        return (config.base_url or KIND.default_base_url or "").rstrip("/") + "/"

    def _client(self, config: ProviderConfig, request: ChatRequest) -> Any:
        if not config.api_key:
            # without a key the SDK would read GOOGLE_API_KEY / GEMINI_API_KEY
            raise common.no_key(label=LABEL, provider=config.name, model=request.model)
        base_url = self._base_url(config)

        def build() -> Any:
            from google import genai
            from google.genai import types

            from orchestrator.providers.logging_guard import install_log_scrubber, register_secret

            install_log_scrubber()
            register_secret(config.api_key)
            options = types.HttpOptions(base_url=base_url, api_version=API_VERSION,
                                        timeout=_timeout_ms(config.timeout_s), retry_options=None)
            return genai.Client(vertexai=False, api_key=config.api_key, http_options=options)

        return self._clients.get(self.kind, base_url, config.api_key, config.timeout_s, build)

    # ---------------------------------------------------------------- request

    @staticmethod
    def _request_parts(request: ChatRequest, timeout_s: float) -> tuple[list[Any], Any]:
        from google.genai import types

        parts = [types.Part.from_bytes(data=img.data, mime_type=img.mime_type) for img in request.images]
        parts.append(types.Part.from_text(text=request.prompt))
        contents = [types.Content(role="model" if role == "assistant" else "user",
                                  parts=[types.Part.from_text(text=text)]) for role, text in request.history]
        contents.append(types.Content(role="user", parts=parts))
        kwargs: dict[str, Any] = {
            "http_options": types.HttpOptions(timeout=_timeout_ms(timeout_s)),  # exact, per call
            "automatic_function_calling": types.AutomaticFunctionCallingConfig(disable=True),
            "automatic_continuation": False,
        }
        if request.system:
            kwargs["system_instruction"] = request.system
        if request.temperature is not None:
            kwargs["temperature"] = request.temperature
        if request.max_tokens is not None:
            kwargs["max_output_tokens"] = request.max_tokens
        if request.json_schema is not None:
            kwargs["response_mime_type"] = "application/json"
            kwargs["response_json_schema"] = request.json_schema  # plain JSON schema, anyOf/null allowed
        return contents, types.GenerateContentConfig(**kwargs)

    # ------------------------------------------------------------------ calls

    def complete(self, config: ProviderConfig, request: ChatRequest) -> Completion:
        client = self._client(config, request)
        contents, gen_config = self._request_parts(request, config.timeout_s)
        mapper = self._mapper(config, request, lambda: False)
        resp = common.call_mapped(
            lambda: client.models.generate_content(model=request.model, contents=contents, config=gen_config),
            mapper)
        candidates = getattr(resp, "candidates", None) or []
        if not candidates:
            self._check_blocked(config, request, resp)
            raise common.malformed(label=LABEL, provider=config.name, model=request.model)
        cand = candidates[0]
        text = "".join(_texts(cand))
        finish = self._finish(config, request, getattr(cand, "finish_reason", None))
        return Completion(text=text, usage=_usage(getattr(resp, "usage_metadata", None)), finish_reason=finish,
                          model=getattr(resp, "model_version", None))

    def stream(self, config: ProviderConfig, request: ChatRequest) -> Iterator[str | Completion]:
        client = self._client(config, request)
        contents, gen_config = self._request_parts(request, config.timeout_s)
        started = [False]  # the request is only sent on the first next(): errors before a chunk are not "mid-stream"
        mapper = self._mapper(config, request, lambda: started[0])
        sdk_stream = common.call_mapped(
            lambda: client.models.generate_content_stream(model=request.model, contents=contents,
                                                          config=gen_config),
            mapper)
        parts: list[str] = []
        raw_finish: Any = None
        usage_meta: Any = None
        model: str | None = None
        blocked: Any = None
        try:
            for chunk in common.iter_mapped(iter(sdk_stream), mapper):
                started[0] = True
                model = getattr(chunk, "model_version", None) or model
                if getattr(chunk, "usage_metadata", None) is not None:
                    usage_meta = chunk.usage_metadata  # running totals: the last one counts
                if getattr(chunk, "prompt_feedback", None) is not None:
                    blocked = chunk
                for cand in (getattr(chunk, "candidates", None) or [])[:1]:
                    for piece in _texts(cand):
                        parts.append(piece)
                        yield piece
                    if getattr(cand, "finish_reason", None):
                        raw_finish = cand.finish_reason
        finally:
            common.close_quietly(sdk_stream)
        if raw_finish is None and blocked is not None:
            self._check_blocked(config, request, blocked)
        finish = self._finish(config, request, raw_finish) if raw_finish is not None else None
        if usage_meta is None:
            finish = None  # the final chunk (finish reason + usage) never came
        yield Completion(text="".join(parts), usage=_usage(usage_meta), finish_reason=finish, model=model)

    def list_models(self, config: ProviderConfig) -> list[str]:
        """The base models ``GET /v1beta/models`` lists (``client.models.list()``, every page) that
        can ``generateContent``, without the ``models/`` prefix; embedding-only models are left out."""
        from google.genai import types

        request = listing_request()
        client = self._client(config, request)
        mapper = self._mapper(config, request, lambda: False)
        options = types.ListModelsConfig(page_size=LIST_PAGE_SIZE, query_base=True,
                                         http_options=types.HttpOptions(timeout=_timeout_ms(config.timeout_s)))
        try:
            listed = common.call_mapped(lambda: list(client.models.list(config=options)), mapper)
        except ProviderError as err:
            failure = common.listing_error(err, label=LABEL, base_url=self._base_url(config))
        else:
            return common.model_names((m.name or "").removeprefix("models/") for m in listed
                                      if m.supported_actions is None or "generateContent" in m.supported_actions)
        raise failure

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _check_blocked(config: ProviderConfig, request: ChatRequest, resp: Any) -> None:
        feedback = getattr(resp, "prompt_feedback", None)
        if feedback is not None and getattr(feedback, "block_reason", None):
            raise ProviderError(f"{LABEL} blocked the prompt (content filter).", provider=config.name,
                                model=request.model, kind="content_filter", retryable=False)

    @staticmethod
    def _finish(config: ProviderConfig, request: ChatRequest, raw: Any) -> str | None:
        if raw is None:
            return None
        name = str(getattr(raw, "value", raw)).upper()
        if name in _FILTERED:
            raise ProviderError(f"{LABEL} stopped the answer (content filter: {name.lower()}).",
                                provider=config.name, model=request.model, kind="content_filter",
                                retryable=False)
        return _FINISH.get(name, name.lower())

    def _mapper(self, config: ProviderConfig, request: ChatRequest, in_stream) -> common.Mapper:
        return lambda exc, _: self._map_error(exc, config, request, in_stream())

    def _map_error(self, exc: BaseException, config: ProviderConfig, request: ChatRequest,
                   in_stream: bool) -> ProviderError:
        """The one place google-genai (and raw httpx2/httpx) exceptions become ProviderErrors."""
        from google.genai import errors

        provider, model = config.name, request.model
        if isinstance(exc, errors.APIError):
            status = int(exc.code or 0) if isinstance(exc.code, int) else 0
            body = exc.details if isinstance(exc.details, dict) else {}
            if status == 400 and _api_key_invalid(body, exc.message):
                return ProviderError(f"{LABEL} rejected the API key (400 API_KEY_INVALID).", provider=provider,
                                     model=model, kind="auth", retryable=False, status_code=400)
            if status < 400:
                return common.stream_broken(label=LABEL, provider=provider, model=model, why=" (error event)")
            headers = getattr(getattr(exc, "response", None), "headers", None)
            retry_after = _header_retry_after(headers)
            if retry_after is None:
                retry_after = _retry_info(body)
            # every Gemini 429 says "check your plan and billing": only a per-day quota is final
            # (so the message is read for other statuses only: "Request payload size exceeds the limit")
            message = "" if status == 429 else str(_error_body(body).get("message") or exc.message or "")
            refined = common.refine_kind(status, code=str(_error_body(body).get("status") or ""), message=message,
                                         per_day_quota=status == 429 and _per_day_quota(body))
            if refined is None and status == 400 and _billing_problem(body):
                refined = common.QUOTA_EXHAUSTED
            return common.status_error(status, label=LABEL, provider=provider, model=model,
                                       retry_after=retry_after, refined=refined,
                                       detail=common.vendor_detail(body or exc.message, [config.api_key]))
        kind = common.transport_kind(exc)
        if kind is not None:
            return common.transport_error(kind, label=LABEL, provider=provider, model=model,
                                          base_url=self._base_url(config), timeout_s=config.timeout_s,
                                          in_stream=in_stream)
        if isinstance(exc, (json.JSONDecodeError, errors.UnknownApiResponseError)):
            if in_stream:
                return common.stream_broken(label=LABEL, provider=provider, model=model, why=" (malformed event)")
            return common.malformed(label=LABEL, provider=provider, model=model)
        return common.unexpected(exc, label=LABEL, provider=provider, model=model)


def _timeout_ms(timeout_s: float) -> int:
    return max(1, int(timeout_s * 1000))  # HttpOptions.timeout is in milliseconds


def _texts(cand: Any) -> list[str]:
    content = getattr(cand, "content", None)
    out: list[str] = []
    for part in getattr(content, "parts", None) or []:
        text = getattr(part, "text", None)
        if text and not getattr(part, "thought", False):
            out.append(text)
    return out


_MODALITY = {"TEXT": "text", "AUDIO": "audio", "IMAGE": "image", "DOCUMENT": "image", "VIDEO": "video"}


def _usage(meta: Any) -> TokenUsage:
    """Gemini usage -> our convention, read as genai-prices' extractor reads it:
    prompt_token_count already includes cached content; tool-use prompt tokens
    add to input; thinking tokens bill as output; per-modality counts (documents
    count as images) go to ``details``."""
    read = common.UsageReader(meta)
    thoughts = read.get("thoughts_token_count")
    tool_prompt = read.get("tool_use_prompt_token_count")
    details: dict[str, int] = {}

    def add(key: str, value: int) -> None:
        details[key] = details.get(key, 0) + value

    for field_name, pattern in (("prompt_tokens_details", "input_{}_tokens"),
                                ("cache_tokens_details", "cache_{}_read_tokens"),
                                ("candidates_tokens_details", "output_{}_tokens"),
                                ("tool_use_prompt_tokens_details", "input_{}_tokens")):
        for entry in (getattr(meta, field_name, None) if meta is not None else None) or []:
            modality = _MODALITY.get(str(getattr(getattr(entry, "modality", None), "value",
                                                 getattr(entry, "modality", ""))).upper())
            if modality is None:
                continue
            count = common.UsageReader(entry).get("token_count")
            add(pattern.format(modality), count)
            if field_name == "tool_use_prompt_tokens_details":
                add(f"input_{modality}_tool_tokens", count)
    if tool_prompt:
        add("input_tool_tokens", tool_prompt)
    return TokenUsage(
        input_tokens=read.get("prompt_token_count") + tool_prompt,
        output_tokens=read.get("candidates_token_count") + thoughts,
        cached_tokens=read.get("cached_content_token_count"),
        reasoning_tokens=thoughts,
        details=common.only_nonzero(details),
        problem=read.problem,
    )


def _error_body(body: dict[str, Any]) -> dict[str, Any]:
    inner = body.get("error", body)
    return inner if isinstance(inner, dict) else {}


def _api_key_invalid(body: dict[str, Any], message: Any) -> bool:
    for detail in _error_body(body).get("details") or []:
        if isinstance(detail, dict) and detail.get("reason") == "API_KEY_INVALID":
            return True
    return isinstance(message, str) and "api key not valid" in message.lower()


def _per_day_quota(body: dict[str, Any]) -> bool:
    """A QuotaFailure naming a per-day quota (``...PerDay...``): waiting seconds will not help."""
    for detail in _error_body(body).get("details") or []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.QuotaFailure"):
            for violation in detail.get("violations") or []:
                if isinstance(violation, dict) and "perday" in str(violation.get("quotaId", "")).lower():
                    return True
    return False


def _billing_problem(body: dict[str, Any]) -> bool:
    """FAILED_PRECONDITION-style answers about billing ("billing to be enabled", free tier not
    available in the region) are account problems, not bad requests."""
    message = str(_error_body(body).get("message") or "").lower()
    return "billing" in message


def _retry_info(body: dict[str, Any]) -> float | None:
    for detail in _error_body(body).get("details") or []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            return common.parse_duration(detail.get("retryDelay"))
    return None


def _header_retry_after(headers: Any) -> float | None:
    try:
        return common.parse_retry_after(headers)
    except Exception:  # noqa: BLE001 - an odd headers object: fall back to RetryInfo
        return None
