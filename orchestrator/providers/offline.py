"""The offline engine as a provider: deterministic, no network, instant on text.

It reads the same prompt a real model gets (the tags the tasks put in it),
so routing, quotas, the ledger and the UI treat it like any other provider.
It reads screenshots too: with the OCR bundled in ``rapidocr-onnxruntime``
(``orchestrator.offline.ocr``), on this machine, then extracts as from text.
Declares the ``offline`` provider kind (``KIND``), the only local engine: it
needs no key and may end a chain as graceful degradation. The engine itself
(pydantic schemas, taxonomies) is imported on the first call.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from orchestrator.errors import InputRejected
from orchestrator.providers.base import Capabilities, ChatRequest, Completion, ProviderConfig, TokenUsage
from orchestrator.providers.kinds import ProviderKind
from orchestrator.tokens import estimate_tokens

_CHUNK_RE = re.compile(r"\S+\s*|\s+")


def offline_capabilities(model: str) -> Capabilities:
    return Capabilities(vision=True, streaming=True, json_schema=True)


KIND = ProviderKind(
    name="offline", label="Offline engine", adapter_factory=lambda: OfflineAdapter(),
    model_capabilities=offline_capabilities, needs_key=False, color="#BAB0AC", local_engine=True,
)


def _answer(request: ChatRequest, deadline: float) -> str:
    """A conversation task (no tags: a real model sees only what the caller sent) gets its
    task's own offline answer; every other prompt is dispatched by its tags, screenshots
    read by OCR first (``InputRejected`` when one holds no readable text: nothing is charged)."""
    from orchestrator import offline
    from orchestrator.tasks import TASKS

    spec = TASKS.get(request.task)
    if request.images and (spec is None or spec.input != "posting"):
        raise InputRejected("The offline engine reads images only to extract a job posting from a screenshot.")
    if spec is not None and spec.input == "messages":
        return spec.offline({"prompt": request.prompt})
    return offline.respond(request.system, request.prompt, images=tuple(i.data for i in request.images),
                           deadline=deadline)


class OfflineAdapter:
    kind = KIND.name

    def complete(self, config: ProviderConfig, request: ChatRequest) -> Completion:
        from orchestrator import offline

        text = _answer(request, time.monotonic() + config.timeout_s)
        usage = TokenUsage(
            input_tokens=estimate_tokens(request.system) + estimate_tokens(request.prompt)
            + sum(estimate_tokens(text) for _role, text in request.history),
            output_tokens=estimate_tokens(text),
        )
        return Completion(text=text, usage=usage, finish_reason="stop", model=offline.ENGINE_MODEL)

    def list_models(self, config: ProviderConfig) -> list[str]:
        """The engine serves one model: its own."""
        from orchestrator import offline

        return [offline.ENGINE_MODEL]

    def stream(self, config: ProviderConfig, request: ChatRequest) -> Iterator[str | Completion]:
        done = self.complete(config, request)
        words = _CHUNK_RE.findall(done.text)
        for i in range(0, len(words), 3):
            yield "".join(words[i:i + 3])
        yield done
