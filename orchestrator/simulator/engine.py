"""What the simulator answers: content from the offline engine, shaped to the
request (JSON that fits the requested schema, truncation at ``max_tokens``),
plus plausible token usage.

The wire modules turn a vendor request into a ``Call`` and a ``Generation``
back into that vendor's response; everything vendor-neutral lives here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from orchestrator.tokens import CHARS_PER_TOKEN, IMAGE_TOKENS, estimate_tokens

log = logging.getLogger(__name__)

Responder = Callable[[str, str], str]

SCHEMA_INVALID_TEXT = '{"foo": 1}'


@dataclass
class Call:
    """One generation request, vendor-neutral."""

    vendor: str
    model: str
    system: str = ""
    prompt: str = ""
    images: int = 0
    schema: dict[str, Any] | None = None  # structured output (or forced tool input) schema
    json_mode: bool = False  # JSON asked for, with or without a schema
    tool_name: str | None = None  # Anthropic forced tool use
    stream: bool = False
    include_usage: bool = False  # OpenAI stream_options.include_usage
    max_tokens: int | None = None
    cache_marked: bool = False  # Anthropic cache_control present
    extra_input_tokens: int = 0  # schema and tool definitions count as input
    image_data: list[bytes] = field(default_factory=list)  # the images' bytes (base64 in the body)


@dataclass
class Usage:
    """Vendor-neutral counts; each wire module reports them in its vendor's shape."""

    input_tokens: int = 0  # total prompt: every modality, cached reads and writes included
    output_tokens: int = 0  # visible text output only
    cached_tokens: int = 0  # cache reads (all modalities)
    cache_write_tokens: int = 0  # cache writes, 5-minute and 1-hour together
    reasoning_tokens: int = 0
    cache_write_1h_tokens: int = 0  # the part of the writes kept for an hour (Anthropic)
    input_audio_tokens: int = 0  # parts of input_tokens by modality (the rest is text)
    input_image_tokens: int = 0
    cache_audio_read_tokens: int = 0  # parts of cached_tokens by modality
    cache_image_read_tokens: int = 0
    output_audio_tokens: int = 0  # output besides the visible text
    output_image_tokens: int = 0


@dataclass
class Generation:
    text: str
    finish: str = "stop"  # "stop", "length" or "refusal"
    usage: Usage = field(default_factory=Usage)
    data: Any = None  # the parsed JSON when the answer is JSON

    @property
    def is_json(self) -> bool:
        return self.data is not None


# --------------------------------------------------------------------- content


def _placeholder(system: str, prompt: str) -> str:
    """Stand-in until ``orchestrator.offline`` exists; deliberately tiny."""
    return (
        "This is a simulated answer from the loopback simulator. "
        "The offline engine was not available, so this text is a placeholder."
    )


def default_respond(system: str, prompt: str, images: list[bytes] | tuple[bytes, ...] = ()) -> str:
    """The offline engine's answer; images (screenshots) are read with its OCR, so a simulated
    vision model reads a posting's screenshot as a real one would."""
    try:
        from orchestrator.offline import respond  # lazy: it may not exist yet
    except Exception:  # noqa: BLE001 - missing or mid-edit module
        return _placeholder(system, prompt)
    try:
        return respond(system, prompt, images=images) if images else respond(system, prompt)
    except Exception as exc:  # noqa: BLE001 - content bugs must not break wire tests
        log.warning("offline engine failed (%s); using placeholder text", type(exc).__name__)
        return _placeholder(system, prompt)


def image_data(body: Any, depth: int = 0) -> list[bytes]:
    """The base64 images of a request body in any of the three vendors' shapes: an OpenAI
    ``data:image/...;base64,`` URL, an Anthropic ``{"type": "base64", "data": ...}`` source, a
    Gemini ``inlineData``/``inline_data`` part. Undecodable data is skipped."""
    found: list[bytes] = []
    if depth > 12:
        return found
    if isinstance(body, dict):
        encoded = None
        url = body.get("url")
        if isinstance(url, str) and url.startswith("data:image/") and ";base64," in url:
            encoded = url.split(",", 1)[1]
        elif body.get("type") == "base64" and isinstance(body.get("data"), str):
            encoded = body["data"]
        elif isinstance(body.get("data"), str) and str(body.get("mimeType") or body.get("mime_type") or
                                                         "").startswith("image/"):
            encoded = body["data"]
        if encoded is not None:
            try:
                # google-genai sends URL-safe base64; the others the standard alphabet
                clean = encoded.strip().replace("-", "+").replace("_", "/")
                found.append(base64.b64decode(clean + "=" * (-len(clean) % 4)))
            except (ValueError, TypeError):  # binascii.Error is a ValueError
                pass
            return found
        for value in body.values():
            found += image_data(value, depth + 1)
    elif isinstance(body, list):
        for value in body:
            found += image_data(value, depth + 1)
    return found


_FENCE_RE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)


def _loads(text: str) -> Any:
    body = text.strip()
    m = _FENCE_RE.match(body)
    if m:
        body = m.group(1)
    try:
        return json.loads(body)
    except (json.JSONDecodeError, ValueError):
        return None


REFUSAL_TEXT = "I'm sorry, but I can't help with that request."


def generate(call: Call, respond: Responder, *, schema_invalid: bool = False, truncate: bool = False,
             truncate_after: int | None = None, refuse: bool = False) -> Generation:
    """Produce the answer text (and JSON data when asked) for ``call``. ``truncate``
    stops it early as if at the token limit: after ``truncate_after`` words, else at
    half its length or ``max_tokens``, whichever is less (a cut JSON text no longer parses)."""
    if schema_invalid:
        data: Any = json.loads(SCHEMA_INVALID_TEXT)
        text = SCHEMA_INVALID_TEXT
    else:
        if call.image_data and respond is default_respond:
            raw = default_respond(call.system, call.prompt, images=call.image_data)
        else:
            raw = respond(call.system, call.prompt)
        data = None
        text = raw
        if call.schema is not None:
            parsed = _loads(raw)
            data = parsed if (parsed is not None and conforms(parsed, call.schema)) else synth(call.schema)
            text = json.dumps(data, ensure_ascii=False)
        elif call.json_mode or call.tool_name:
            parsed = _loads(raw)
            data = parsed if isinstance(parsed, dict) else {"response": raw}
            text = json.dumps(data, ensure_ascii=False)
    gen = Generation(text=text, data=data)
    if call.max_tokens is not None and call.max_tokens >= 0 and estimate_tokens(text) > call.max_tokens:
        gen.text = text[: call.max_tokens * CHARS_PER_TOKEN]
        gen.finish = "length"
        gen.data = None  # a cut-off JSON text no longer parses
    if truncate:
        gen.text, gen.finish, gen.data = cut(gen.text, call.max_tokens, truncate_after), "length", None
    if refuse:  # no answer; each wire words the refusal its vendor's way
        gen.text, gen.finish, gen.data = "", "refusal", None
    return gen


def cut(text: str, max_tokens: int | None, words: int | None) -> str:
    """``text`` stopped early: after ``words`` words, else at half its tokens; never
    beyond ``max_tokens``."""
    if words is not None:
        out = "".join(_WORD_RE.findall(text)[: max(0, words)]).rstrip()
    else:
        out = text[: max(1, estimate_tokens(text) // 2) * CHARS_PER_TOKEN]
    if max_tokens is not None and max_tokens >= 0 and estimate_tokens(out) > max_tokens:
        out = out[: max_tokens * CHARS_PER_TOKEN]
    return out


# ---------------------------------------------------------------- JSON schema


def _resolve(schema: Any, root: dict[str, Any]) -> Any:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = str(schema["$ref"])
        target: Any = root
        if ref.startswith("#/"):
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
        else:
            target = {}
        schema = target
        seen += 1
    return schema


def _types(schema: dict[str, Any]) -> list[str]:
    t = schema.get("type")
    types = [t] if isinstance(t, str) else list(t or [])
    types = [str(x).lower() for x in types]
    if not types and "properties" in schema:
        types = ["object"]
    if schema.get("nullable"):
        types.append("null")
    return types


def synth(schema: Any, root: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """A minimal instance of a JSON schema (or Gemini's OpenAPI-style schema,
    whose type names are upper case). Nullable and optional parts are filled
    with their first concrete option so that the answer looks like data."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    schema = _resolve(schema, root)
    if not isinstance(schema, dict) or depth > 12:
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        non_null = [v for v in schema["enum"] if v is not None]
        return non_null[0] if non_null else None
    for key in ("anyOf", "oneOf", "allOf"):
        options = schema.get(key)
        if options:
            concrete = [o for o in options if _types(_resolve(o, root)) != ["null"]]
            return synth((concrete or options)[0], root, depth + 1)
    types = [t for t in _types(schema) if t != "null"] or _types(schema)
    kind = types[0] if types else "string"
    if kind == "object":
        props = schema.get("properties") or {}
        return {name: synth(sub, root, depth + 1) for name, sub in props.items()}
    if kind == "array":
        n = int(schema.get("minItems") or 0)
        return [synth(schema.get("items") or {}, root, depth + 1) for _ in range(n)]
    if kind in ("number", "integer"):
        low = schema.get("minimum", 0)
        return int(low) if kind == "integer" else low
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return "unknown"


def conforms(data: Any, schema: Any, root: dict[str, Any] | None = None, depth: int = 0) -> bool:
    """A small validator for the subset of JSON schema that structured outputs
    use (type, nullable, enum, const, anyOf/oneOf, properties, required,
    additionalProperties=false, items, $ref)."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    schema = _resolve(schema, root)
    if not isinstance(schema, dict) or depth > 24:
        return True
    if "const" in schema and data != schema["const"]:
        return False
    if "enum" in schema and data not in schema["enum"]:
        return False
    for key in ("anyOf", "oneOf"):
        if schema.get(key) and not any(conforms(data, o, root, depth + 1) for o in schema[key]):
            return False
    for sub in schema.get("allOf") or []:
        if not conforms(data, sub, root, depth + 1):
            return False
    types = _types(schema)
    if types and not any(_is_type(data, t) for t in types):
        return False
    if isinstance(data, dict):
        props = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if name not in data:
                return False
        if schema.get("additionalProperties") is False and set(data) - set(props):
            return False
        return all(conforms(v, props[k], root, depth + 1) for k, v in data.items() if k in props)
    if isinstance(data, list) and "items" in schema:
        return all(conforms(v, schema["items"], root, depth + 1) for v in data)
    return True


def _is_type(value: Any, t: str) -> bool:
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "string":
        return isinstance(value, str)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "null":
        return value is None
    return True


# ------------------------------------------------------------------- streaming

_WORD_RE = re.compile(r"\s*\S+\s*")


def split_chunks(text: str, words: int = 3, max_chars: int = 48) -> list[str]:
    """Split text into stream deltas of a few words, keeping every character."""
    if not text:
        return []
    tokens = _WORD_RE.findall(text)
    if "".join(tokens) != text:  # whitespace-only text or odd leading space
        tokens = [text]
    chunks: list[str] = []
    current = ""
    count = 0
    for tok in tokens:
        while len(tok) > max_chars:
            if current:
                chunks.append(current)
                current, count = "", 0
            chunks.append(tok[:max_chars])
            tok = tok[max_chars:]
        if current and (count >= words or len(current) + len(tok) > max_chars):
            chunks.append(current)
            current, count = "", 0
        current += tok
        count += 1
    if current:
        chunks.append(current)
    return chunks


# ----------------------------------------------------------------------- usage


def reasoning_for(vendor: str, model: str, output_tokens: int) -> int:
    """Hidden reasoning tokens for reasoning models, zero otherwise."""
    name = model.lower()
    if vendor == "openai":
        is_reasoning = any(m in name for m in ("o1", "o3", "o4", "gpt-5", "reason"))
    elif vendor == "gemini":
        is_reasoning = any(m in name for m in ("thinking", "2.5", "3"))
    else:
        is_reasoning = False
    return 64 + output_tokens // 2 if is_reasoning else 0


class PromptCache:
    """Remembers system prompts per (vendor, model) to report cached tokens on
    repeats, the way automatic prefix caching does (OpenAI, Gemini implicit)
    and explicit ``cache_control`` does on Anthropic. The first call reports a
    cache write where the vendor bills one: Anthropic (a 5-minute write) and
    OpenAI's gpt-5 family (``cache_write_tokens``)."""

    def __init__(self, enabled: bool = True, min_tokens: int = 0) -> None:
        self.enabled = enabled
        self.min_tokens = min_tokens
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    def lookup(self, call: Call) -> tuple[int, int]:
        """(cached read tokens, cache write tokens) for this call."""
        size = estimate_tokens(call.system)
        if not self.enabled or not call.system or size < self.min_tokens:
            return 0, 0
        if call.vendor == "anthropic" and not call.cache_marked:
            return 0, 0
        key = hashlib.sha256(f"{call.vendor}\0{call.model}\0{call.system}".encode()).hexdigest()
        with self._lock:
            seen = key in self._seen
            self._seen.add(key)
        if seen:
            return size, 0
        return 0, (size if writes_cache(call.vendor, call.model) else 0)


def writes_cache(vendor: str, model: str) -> bool:
    """Whether the vendor reports (and bills) the write that creates a cache entry."""
    return vendor == "anthropic" or (vendor == "openai" and model.lower().startswith("gpt-5"))


def input_tokens(call: Call) -> int:
    """The prompt size as the vendor would bill it: text, images, schema and tools."""
    return (
        estimate_tokens(call.system)
        + estimate_tokens(call.prompt)
        + call.images * IMAGE_TOKENS
        + call.extra_input_tokens
    )


def compute_usage(call: Call, gen: Generation, cache: PromptCache) -> Usage:
    prompt_tokens = input_tokens(call)
    output = estimate_tokens(gen.text)
    cached, written = cache.lookup(call)
    return Usage(
        input_tokens=prompt_tokens,
        output_tokens=output,
        cached_tokens=cached,
        cache_write_tokens=written,
        reasoning_tokens=reasoning_for(call.vendor, call.model, output),
        input_image_tokens=call.images * IMAGE_TOKENS,
    )
