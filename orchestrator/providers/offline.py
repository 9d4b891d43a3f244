"""The offline engine as a provider: deterministic, no network, instant.

It reads the same prompt a real model gets (the tags the tasks put in it),
so routing, quotas, the ledger and the UI treat it like any other provider.
Declares the ``offline`` provider kind (``KIND``), the only local engine: it
needs no key and may end a chain as graceful degradation. The engine itself
(pydantic schemas, taxonomies) is imported on the first call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from orchestrator.errors import InputRejected
from orchestrator.providers.base import Capabilities, ChatRequest, Completion, ProviderConfig, TokenUsage
from orchestrator.providers.kinds import ProviderKind
from orchestrator.tokens import estimate_tokens

_CHUNK_RE = re.compile(r"\S+\s*|\s+")


def offline_capabilities(model: str) -> Capabilities:
    return Capabilities(vision=False, streaming=True, json_schema=True)


KIND = ProviderKind(
    name="offline", label="Offline engine", adapter_factory=lambda: OfflineAdapter(),
    model_capabilities=offline_capabilities, needs_key=False, color="#BAB0AC", local_engine=True,
)


def _answer(request: ChatRequest) -> str:
    """A conversation task (no tags: a real model sees only what the caller sent) gets its
    task's own offline answer; every other prompt is dispatched by its tags."""
    from orchestrator import offline
    from orchestrator.tasks import TASKS

    spec = TASKS.get(request.task)
    if spec is not None and spec.input == "messages":
        return spec.offline({"prompt": request.prompt})
    return offline.respond(request.system, request.prompt)


class OfflineAdapter:
    kind = KIND.name

    def complete(self, config: ProviderConfig, request: ChatRequest) -> Completion:
        from orchestrator import offline

        if request.images:
            raise InputRejected(
                "Reading a screenshot needs a vision-capable provider; the offline engine only reads text. "
                "Paste the posting's text instead, or ask an admin to add a provider with a vision model."
            )
        text = _answer(request)
        usage = TokenUsage(
            input_tokens=estimate_tokens(request.system) + estimate_tokens(request.prompt)
            + sum(estimate_tokens(text) for _role, text in request.history),
            output_tokens=estimate_tokens(text),
        )
        return Completion(text=text, usage=usage, finish_reason="stop", model=offline.ENGINE_MODEL)

    def stream(self, config: ProviderConfig, request: ChatRequest) -> Iterator[str | Completion]:
        done = self.complete(config, request)
        words = _CHUNK_RE.findall(done.text)
        for i in range(0, len(words), 3):
            yield "".join(words[i:i + 3])
        yield done
