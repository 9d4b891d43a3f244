"""Gemini (Google AI ``generativelanguage``) on the wire:
``POST /{v1,v1beta}/models/{model}:generateContent``, ``:streamGenerateContent``
(``?alt=sse`` as google-genai sends it, or a JSON array without it),
``:countTokens`` and ``GET /{v1,v1beta}/models``, with the camelCase response,
``usageMetadata`` and ``{"error": {code, message, status}}`` shapes."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.simulator.engine import Call, Generation
from orchestrator.simulator.wire import StreamPlan, WireError, header, new_id, sse

VENDOR = "gemini"
DEFAULT_MODELS = ("gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.5-pro", "gemini-2.0-flash")

_STATUS: dict[int, tuple[str, str]] = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: ("UNAUTHENTICATED", "Request had invalid authentication credentials."),
    403: ("PERMISSION_DENIED", "The caller does not have permission"),
    404: ("NOT_FOUND", "Requested entity was not found."),
    409: ("ABORTED", "The operation was aborted."),
    429: ("RESOURCE_EXHAUSTED",
          "You exceeded your current quota, please check your plan and billing details. For more "
          "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."),
    499: ("CANCELLED", "The operation was cancelled."),
    500: ("INTERNAL", "An internal error has occurred. Please retry or report in "
                      "https://developers.generativeai.google/guide/troubleshooting"),
    501: ("UNIMPLEMENTED", "Method not implemented."),
    503: ("UNAVAILABLE", "The model is overloaded. Please try again later."),
    504: ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
}


def error(status: int, message: str | None = None, *, retry_after: float | None = None,
          details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    name, default = _STATUS.get(status, ("INTERNAL" if status >= 500 else "FAILED_PRECONDITION", f"HTTP {status}"))
    body: dict[str, Any] = {"code": status, "message": message or default, "status": name}
    extra = list(details or [])
    if retry_after is not None:
        extra.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{retry_after:g}s"})
    if extra:
        body["details"] = extra
    return {"error": body}


_QUOTA_METRIC = "generativelanguage.googleapis.com/generate_content_free_tier_requests"


def _quota_failure(model: str | None, per: str, limit: int) -> dict[str, Any]:
    return {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
        "quotaMetric": _QUOTA_METRIC, "quotaId": f"GenerateRequestsPer{per}PerProjectPerModel-FreeTier",
        "quotaDimensions": {"location": "global", "model": model or "gemini-2.5-flash"}, "quotaValue": str(limit)}]}


def _retry_info(seconds: float) -> dict[str, Any]:
    return {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{seconds:g}s"}


def fault_error(fault: Any, model: str | None, call: Call | None = None) -> tuple[int, dict[str, Any]]:
    """(status, body) for a ``status``, ``quota`` or ``too_large`` fault. A 429 names the quota
    it hit in a QuotaFailure (per minute for ``status``, per day for ``quota``) and says when to
    retry in a RetryInfo; Gemini sends no Retry-After header. Too large is a 400
    INVALID_ARGUMENT about the payload size (413 with ``status=413``)."""
    if fault.kind == "quota":
        status = int(fault.status or 429)
        message = fault.message or (
            f"{_STATUS[429][1]} To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. "
            f"\n* Quota exceeded for metric: {_QUOTA_METRIC}, limit: 250, model: {model or 'gemini-2.5-flash'}\n"
            "Please retry in 23.4s.")
        delay = fault.retry_after if fault.retry_after is not None else 23.0
        details = [_quota_failure(model, "Day", 250),
                   {"@type": "type.googleapis.com/google.rpc.Help", "links": [{
                       "description": "Learn more about Gemini API quotas",
                       "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
                   _retry_info(delay)]
        return status, error(status, message, details=details)
    if fault.kind == "too_large":
        if fault.status == 413:
            return 413, {"error": {"message": fault.message or "Maximum request body size 1048576 exceeded, "
                                   "actual body size 1056562", "code": 413, "status": "Request Entity Too Large"}}
        status = int(fault.status or 400)
        return status, error(status, fault.message or "Request payload size exceeds the limit: 20971520 bytes.")
    status = int(fault.status or 500)
    body = error(status, fault.message, retry_after=fault.retry_after)
    if status == 429:  # after the RetryInfo: which quota ran out this minute
        body["error"].setdefault("details", []).append(_quota_failure(model, "Minute", 10))
    return status, body


def stream_fault(fault: Any, model: str | None) -> bytes:
    """The in-stream form: the error object as one more SSE event."""
    return sse(fault_error(fault, model)[1])


def response_headers() -> dict[str, str]:
    return {"x-gemini-service-tier": "standard", "server-timing": "gfet4t7; dur=1"}


def auth_error(headers: Any, query: dict[str, str], valid: frozenset[str] | None) -> WireError | None:
    if valid is None:
        return None
    key = header(headers, "x-goog-api-key") or query.get("key", "")
    if not key:
        return WireError(403, error(
            403,
            "Method doesn't allow unregistered callers (callers without established identity). "
            "Please use API Key or other form of API consumer identity to call this API.",
        ))
    if key not in valid:
        return WireError(400, error(
            400, "API key not valid. Please pass a valid API key.",
            details=[{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }],
        ))
    return None


def model_not_found(model: str, api_version: str = "v1beta", method: str = "generateContent") -> WireError:
    return WireError(404, error(
        404,
        f"models/{model} is not found for API version {api_version}, or is not supported for "
        f"{method}. Call ListModels to see the list of available models and their supported methods.",
    ))


def bad_request(message: str) -> WireError:
    return WireError(400, error(400, message))


# ---------------------------------------------------------------- requests


def _parts(content: Any) -> tuple[list[str], int]:
    texts: list[str] = []
    images = 0
    parts = content.get("parts") if isinstance(content, dict) else None
    for part in parts or []:
        if not isinstance(part, dict):
            continue
        if "text" in part:
            texts.append(str(part["text"]))
        inline = part.get("inlineData") or part.get("inline_data")
        if inline is not None:
            if not inline.get("data"):
                raise bad_request("Unable to process input image. Please retry or report in "
                                  "https://developers.generativeai.google/guide/troubleshooting")
            images += 1
        if part.get("fileData") or part.get("file_data"):
            images += 1
    return texts, images


def parse(model: str, body: dict[str, Any], *, stream: bool) -> Call:
    contents = body.get("contents")
    if isinstance(contents, dict):
        contents = [contents]
    if not isinstance(contents, list) or not contents:
        raise bad_request("* GenerateContentRequest.contents: contents is not specified")
    system, images = _parts(body.get("systemInstruction") or body.get("system_instruction"))
    prompt: list[str] = []
    for content in contents:
        texts, n = _parts(content)
        images += n
        if (content.get("role") or "user") == "user":
            prompt.extend(texts)
    config = body.get("generationConfig") or body.get("generation_config") or {}
    call = Call(
        vendor=VENDOR,
        model=model,
        system="\n\n".join(system),
        prompt="\n\n".join(prompt),
        images=images,
        stream=stream,
        max_tokens=config.get("maxOutputTokens"),
    )
    mime = config.get("responseMimeType")
    schema = config.get("responseJsonSchema") or config.get("responseSchema")
    if schema is not None and mime != "application/json":
        raise bad_request("* GenerateContentRequest.generation_config.response_mime_type: "
                          "response_mime_type must be application/json when response_schema is set")
    if mime == "application/json":
        call.json_mode = True
        if isinstance(schema, dict):
            call.schema = schema
            call.extra_input_tokens = len(json.dumps(schema)) // 4
    return call


# --------------------------------------------------------------- responses


def _by_modality(text: int, audio: int = 0, image: int = 0) -> list[dict[str, Any]]:
    parts = [("TEXT", text), ("AUDIO", audio), ("IMAGE", image)]
    return [{"modality": m, "tokenCount": n} for m, n in parts if n or m == "TEXT"]


def _usage(gen: Generation) -> dict[str, Any]:
    """promptTokenCount includes the cached part; thoughts are reported apart from the
    candidates; zero counts are omitted rather than sent as 0, like the real API."""
    u = gen.usage
    candidates = u.output_tokens + u.output_audio_tokens + u.output_image_tokens
    usage: dict[str, Any] = {"promptTokenCount": u.input_tokens, "candidatesTokenCount": candidates,
                             "totalTokenCount": u.input_tokens + candidates + u.reasoning_tokens}
    if u.cached_tokens:
        usage["cachedContentTokenCount"] = u.cached_tokens
    usage["promptTokensDetails"] = _by_modality(u.input_tokens - u.input_audio_tokens - u.input_image_tokens,
                                                u.input_audio_tokens, u.input_image_tokens)
    if u.cached_tokens:
        usage["cacheTokensDetails"] = _by_modality(
            u.cached_tokens - u.cache_audio_read_tokens - u.cache_image_read_tokens,
            u.cache_audio_read_tokens, u.cache_image_read_tokens)
    if u.output_audio_tokens or u.output_image_tokens:
        usage["candidatesTokensDetails"] = _by_modality(u.output_tokens, u.output_audio_tokens,
                                                        u.output_image_tokens)
    if u.reasoning_tokens:
        usage["thoughtsTokenCount"] = u.reasoning_tokens
    return usage


def usage_body(call: Call, gen: Generation) -> dict[str, Any]:
    """What genai-prices' extractor reads (``extract_usage(..., provider_id="google")``)."""
    return {"modelVersion": call.model, "usageMetadata": _usage(gen)}


def _finish(gen: Generation) -> str:
    return {"length": "MAX_TOKENS", "refusal": "SAFETY"}.get(gen.finish, "STOP")


_BLOCKED_RATINGS = [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True},
                    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}]


def _candidate(text: str, finish: str | None) -> dict[str, Any]:
    if finish == "SAFETY":  # a blocked candidate has no content, only its ratings
        return {"finishReason": finish, "index": 0, "safetyRatings": _BLOCKED_RATINGS}
    cand: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    return cand


def render(call: Call, gen: Generation, response_id: str | None = None) -> dict[str, Any]:
    return {
        "candidates": [_candidate(gen.text, _finish(gen))],
        "usageMetadata": _usage(gen),
        "modelVersion": call.model,
        "responseId": response_id or new_id("", 22),
    }


def stream_chunks(call: Call, gen: Generation, chunks: list[str]) -> tuple[list[dict], list[dict]]:
    """(content chunks, final chunk): the final one carries finishReason and usage."""
    rid = new_id("", 22)
    body = [{"candidates": [_candidate(piece, None)], "modelVersion": call.model, "responseId": rid}
            for piece in chunks]
    final = {"candidates": [_candidate("", _finish(gen))], "usageMetadata": _usage(gen),
             "modelVersion": call.model, "responseId": rid}
    return body, [final]


def stream(call: Call, gen: Generation, chunks: list[str]) -> StreamPlan:
    body, tail = stream_chunks(call, gen, chunks)
    return StreamPlan(body=[sse(c) for c in body], tail=[sse(c) for c in tail])


def stream_error(status: int, message: str | None = None) -> bytes:
    return sse(error(status, message))


def broken_frame() -> bytes:
    return b'data: {"candidates":[{"content":{"parts":[{"text":"tru\n\n'


LIST_PAGE_SIZE = 50  # the API's default pageSize (at most 1000)


def list_models(models: list[str], query: dict[str, str] | None = None) -> dict[str, Any]:
    """One page of ``GET /v1beta/models``: ``pageSize`` models from ``pageToken`` on, and
    ``nextPageToken`` only while more remain (as the API omits it on the last page)."""
    query = query or {}
    try:
        size = min(max(int(query.get("pageSize") or LIST_PAGE_SIZE), 1), 1000)
        start = int(query.get("pageToken") or 0)
    except ValueError:
        raise bad_request("Invalid pageSize or pageToken.") from None
    page: dict[str, Any] = {"models": [get_model(m) for m in models[start:start + size]]}
    if start + size < len(models):
        page["nextPageToken"] = str(start + size)
    return page


def get_model(model: str) -> dict[str, Any]:
    return {
        "name": f"models/{model}",
        "version": "001",
        "displayName": model.replace("-", " ").title(),
        "description": "Simulated model",
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": 65_536,
        "supportedGenerationMethods": (["embedContent", "countTextTokens"] if "embedding" in model
                                       else ["generateContent", "countTokens", "createCachedContent",
                                             "batchGenerateContent"]),
        "temperature": 1.0,
        "topP": 0.95,
        "topK": 64,
        "thinking": any(m in model for m in ("thinking", "2.5", "3")),
    }


def count_tokens(total: int) -> dict[str, Any]:
    return {"totalTokens": total, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}]}


def header_key(headers: Any) -> str | None:
    return header(headers, "x-goog-api-key")
