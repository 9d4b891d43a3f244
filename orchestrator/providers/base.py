"""The adapter interface every provider kind implements.

An adapter speaks one wire format (OpenAI chat completions, Anthropic
messages, Gemini generateContent, or the built-in offline engine). It gets the
key as an argument, never reads the environment, and maps every SDK error to
``ProviderError`` in one place with secrets scrubbed. The pipeline owns
retries, fallback, pricing and the ledger; adapters only make one call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Capabilities:
    """What a (provider kind, model) pair can do."""

    vision: bool = False
    streaming: bool = True
    json_schema: bool = False


@dataclass(frozen=True)
class ProviderConfig:
    """Everything an adapter needs to reach one provider. ``api_key`` is plaintext
    only in memory, for the duration of the call; it is never logged."""

    name: str
    kind: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 60.0


@dataclass(frozen=True)
class ImageInput:
    data: bytes = field(repr=False)
    mime_type: str  # image/png, image/jpeg, image/webp


@dataclass(frozen=True)
class ChatRequest:
    """One model call. ``prompt`` is the user turn, ``system`` the instructions.

    ``history`` holds earlier turns of a conversation, oldest first, as (role, text)
    with role ``user`` or ``assistant`` (the gateway's chat task; empty otherwise).
    ``json_schema`` asks for structured output (``schema_name`` names it for
    vendors that want a name); adapters use the vendor's native mechanism.
    """

    task: str
    model: str
    system: str
    prompt: str
    images: tuple[ImageInput, ...] = ()
    history: tuple[tuple[str, str], ...] = ()
    json_schema: dict[str, Any] | None = None
    schema_name: str = "output"
    temperature: float | None = None
    max_tokens: int | None = None


@dataclass
class TokenUsage:
    """Token counts in one convention for every vendor.

    ``input_tokens`` is the total prompt size *including* cached reads, cache
    writes and every modality (OpenAI's and genai-prices' convention; Anthropic
    adapters add its separately reported cache counts). ``output_tokens``
    includes reasoning tokens (Gemini adapters add thoughts, which bill as output).

    ``details`` holds the finer counts prices depend on, under genai-prices'
    usage keys (``cache_write_5m_tokens``, ``cache_write_1h_tokens``,
    ``input_audio_tokens``, ``cache_audio_read_tokens``, ``output_audio_tokens``,
    ``input_image_tokens``...), exactly as genai-prices' extractor reads them
    from the vendor's body. ``problem`` says why the usage block cannot be
    trusted (negative or missing counts): such an attempt is recorded unpriced.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    details: dict[str, int] = field(default_factory=dict)
    problem: str | None = None

    def as_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_tokens": self.cached_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }

    def genai_usage(self) -> dict[str, int]:
        """The counts under genai-prices' usage keys (zero counts left out)."""
        out = {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens}
        for key, value in (("cache_read_tokens", self.cached_tokens), ("cache_write_tokens", self.cache_write_tokens),
                           ("output_reasoning_tokens", self.reasoning_tokens)):
            if value:
                out[key] = value
        out.update({k: v for k, v in self.details.items() if v})
        return out


@dataclass
class Completion:
    """A finished model answer. ``finish_reason`` is None when the stream ended
    without one, which the pipeline treats as a broken stream."""

    text: str
    usage: TokenUsage
    finish_reason: str | None = "stop"
    model: str | None = None  # as reported by the server, when it says


class Adapter(Protocol):
    """One provider kind's calls. Implementations live in ``providers/<kind>.py``, next to
    the kind's ``ProviderKind`` descriptor (``providers/kinds.py``), which also says what
    each model can do (``ProviderKind.capabilities``)."""

    kind: str

    def complete(self, config: ProviderConfig, request: ChatRequest) -> Completion: ...

    def stream(self, config: ProviderConfig, request: ChatRequest) -> Iterator[str | Completion]:
        """Yield text deltas, then exactly one ``Completion`` carrying usage."""
        ...

    def list_models(self, config: ProviderConfig) -> list[str]:
        """The model names the server offers for chat, through the vendor's own listing call
        (errors mapped to ``ProviderError`` like any call). Optional: an adapter without it
        (a plugin's) only means its models are named by hand."""
        ...


def listing_request() -> ChatRequest:
    """The request adapters hand their client and error mapping when they list models."""
    return ChatRequest(task="list_models", model="(model list)", system="", prompt="")
