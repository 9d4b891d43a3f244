"""``ProviderKind``: everything the app knows about one provider kind, in one place.

A kind is a wire format plus the facts the rest of the app needs about it:
its human label, default base URL, whether it needs a key or a base URL,
the environment variable its key usually lives in, its genai-prices id, the
loggers its SDK writes to, its chart colour, whether it is the built-in
local engine, what each of its models can do, and how to build its adapter.

Each provider module (``providers/openai.py``, ``anthropic.py``, ...)
declares its descriptor(s) at module level as ``KIND`` or ``KINDS``;
``providers/registry.py`` discovers them. Everything else (CLI choices,
validation, pricing ids, log scrubbing, probe URLs, chart colours, admin
pages) derives from the descriptors, so adding a kind is adding one module.

Importing a descriptor never imports a vendor SDK: provider modules import
their SDK inside the calls, and ``adapter_factory`` runs on first use only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator.providers.base import Capabilities

if TYPE_CHECKING:
    from orchestrator.providers.base import Adapter


def lazy_adapter(target: str) -> Callable[[], Adapter]:
    """A factory for ``"package.module:ClassName"`` that imports the module on first call.

    Use it when the adapter lives in a module that imports its SDK at the top.
    """
    module, _, attr = target.partition(":")

    def build() -> Adapter:
        return getattr(importlib.import_module(module), attr)()

    return build


@dataclass(frozen=True)
class ProviderKind:
    """One provider kind (wire format) and what the app needs to know about it."""

    name: str  # stored in providers.kind and catalog_models.kind
    label: str  # human: "OpenAI-compatible server"
    adapter_factory: Callable[[], Adapter]  # builds the (one, shared) adapter; may import lazily
    model_capabilities: Callable[[str], Capabilities]  # model name -> what it can do
    default_base_url: str | None = None  # None: the admin must give one (or none is needed)
    needs_key: bool = True  # False: keyless (local servers, the offline engine)
    requires_base_url: bool = False
    default_key_env: str | None = None  # where keys of this kind usually live, e.g. OPENAI_API_KEY
    genai_prices_id: str | None = None  # None: unpriced until an admin prices its models
    sdk_loggers: tuple[str, ...] = ()  # logger names its SDK writes to (scrubbed of keys)
    color: str = "#9D755D"  # hex, for charts
    local_engine: bool = False  # the built-in engine: no network, may end a chain as degradation

    def capabilities(self, model: str) -> Capabilities:
        """Vision, streaming and JSON-schema support of ``model`` on this kind."""
        return self.model_capabilities(model)

    def make_adapter(self) -> Adapter:
        return self.adapter_factory()
