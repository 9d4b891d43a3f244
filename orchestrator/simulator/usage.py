"""Usage plans: make answers carry the usage detail prices depend on.

A plan adds cache reads and writes (Anthropic's 5-minute and 1-hour writes
apart), reasoning, and audio or image tokens to the next ``times`` answers of a
vendor (or every answer, when sticky), optionally only for models matching a
glob. Each wire module reports them exactly where its vendor does:

- OpenAI chat: ``prompt_tokens_details.{cached_tokens, cache_write_tokens,
  audio_tokens}`` and ``completion_tokens_details.{reasoning_tokens,
  audio_tokens}``; ``prompt_tokens`` / ``completion_tokens`` include them.
- Anthropic: ``cache_read_input_tokens``, ``cache_creation_input_tokens`` and
  ``cache_creation.{ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}``;
  ``input_tokens`` excludes cache reads and writes (in ``message_start`` and,
  cumulative, in ``message_delta``).
- Gemini: ``promptTokensDetails`` / ``cacheTokensDetails`` /
  ``candidatesTokensDetails`` lists of ``{modality, tokenCount}``,
  ``cachedContentTokenCount`` and ``thoughtsTokenCount``; ``promptTokenCount``
  includes the cached part. Gemini bills no cache writes: those are ignored.

Plans sit in a ``FaultBook`` (queue plus sticky, like faults); the CLI
(``--usage``) and ``/_sim/usage`` set them.
"""

from __future__ import annotations

import fnmatch
from dataclasses import asdict, dataclass, fields
from typing import Any

from orchestrator.simulator.engine import Usage
from orchestrator.simulator.faults import _check_vendor

COUNTS = ("cache_read", "cache_write", "cache_write_1h", "reasoning", "input_audio", "input_image",
          "cache_audio_read", "cache_image_read", "output_audio", "output_image")


@dataclass
class UsagePlan:
    """Extra usage for matching answers. ``cache_read``, ``cache_write`` (5-minute
    writes on Anthropic) and ``reasoning`` replace what the simulator would report
    when given; the modality counts add to it (``input_audio`` and ``input_image``
    grow the prompt, ``output_audio`` and ``output_image`` the output;
    ``cache_audio_read`` / ``cache_image_read`` are the cached part of them)."""

    cache_read: int | None = None
    cache_write: int | None = None
    cache_write_1h: int = 0
    reasoning: int | None = None
    input_audio: int = 0
    input_image: int = 0
    cache_audio_read: int = 0
    cache_image_read: int = 0
    output_audio: int = 0
    output_image: int = 0
    model: str | None = None
    times: int | None = None  # remaining uses when queued; None when sticky

    def __post_init__(self) -> None:
        for name in COUNTS:
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"usage plan {name} must be a whole number >= 0, got {value!r}")

    def matches(self, model: str | None) -> bool:
        if self.model is None:
            return True
        return model is not None and fnmatch.fnmatchcase(model, self.model)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None and v != 0}

    def apply(self, u: Usage) -> None:
        """Add this plan to ``u`` in place, keeping the counts consistent (parts never exceed wholes)."""
        if self.reasoning is not None:
            u.reasoning_tokens = self.reasoning
        u.input_tokens += self.input_audio + self.input_image
        u.input_audio_tokens += self.input_audio
        u.input_image_tokens += self.input_image
        u.output_audio_tokens += self.output_audio
        u.output_image_tokens += self.output_image
        if self.cache_read is not None:
            u.cached_tokens = self.cache_read
        if self.cache_write is not None or self.cache_write_1h:
            u.cache_write_tokens = (self.cache_write or 0) + self.cache_write_1h
            u.cache_write_1h_tokens = self.cache_write_1h
        # cached audio and images are audio and image input, and part of the cached tokens
        for part, whole in (("cache_audio_read", "input_audio_tokens"), ("cache_image_read", "input_image_tokens")):
            extra = max(0, getattr(self, part) - getattr(u, whole))
            setattr(u, whole, getattr(u, whole) + extra)
            u.input_tokens += extra
        u.cache_audio_read_tokens = self.cache_audio_read
        u.cache_image_read_tokens = self.cache_image_read
        u.cached_tokens = max(u.cached_tokens, self.cache_audio_read + self.cache_image_read)
        # the text part of the prompt holds the cached text and the writes
        cached_text = u.cached_tokens - self.cache_audio_read - self.cache_image_read
        media = u.input_audio_tokens + u.input_image_tokens
        u.input_tokens = max(u.input_tokens, media + cached_text + u.cache_write_tokens)


_FIELDS = {f.name for f in fields(UsagePlan)} - {"times"}


def plan_from_mapping(data: dict[str, Any]) -> tuple[str, UsagePlan, int | None]:
    """(vendor, plan, times) from a JSON object; ``times`` None means sticky (``"sticky": true``),
    else one use unless ``times`` says more."""
    data = dict(data)
    vendor = _check_vendor(str(data.pop("vendor", "")))
    sticky = bool(data.pop("sticky", False))
    times = data.pop("times", None)
    unknown = set(data) - _FIELDS
    if unknown:
        raise ValueError(f"unknown usage plan field(s): {', '.join(sorted(unknown))}")
    plan = UsagePlan(**data)
    return vendor, plan, None if sticky else int(times if times is not None else 1)


def parse_usage_spec(spec: str) -> tuple[str, UsagePlan, int | None]:
    """Parse the CLI form ``VENDOR:NAME=VALUE[:NAME=VALUE...]``; sticky without ``times``.
    Example: ``anthropic:cache_write=200:cache_write_1h=100:times=2:model=claude-*``."""
    vendor, _, rest = spec.partition(":")
    values: dict[str, Any] = {"vendor": vendor}
    for arg in [a for a in rest.split(":") if a] if rest else []:
        name, sep, value = arg.partition("=")
        if not sep:
            raise ValueError(f"usage spec argument {arg!r} must look like NAME=VALUE")
        values[name] = value if name == "model" else int(value)
    if "times" not in values:
        values["sticky"] = True
    return plan_from_mapping(values)
