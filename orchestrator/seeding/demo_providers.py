"""The demo providers: one per wire format the built-in simulator speaks (OpenAI, Anthropic,
Gemini), named ``demo-<kind>``, with a demo key stored encrypted like any key.

``seed --demo`` creates them inactive (the demo history's traffic is theirs, so no provider
whose key is "not set" shows traffic); the stakeholder demo switch (``orchestrator.demo_mode``)
activates them and points them at the simulator it starts inside the app server. They are
flagged ``is_demo`` (``demo purge`` removes them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from db.models import Provider
from orchestrator.redact import key_hint

PREFIX = "demo-"
# where they point before the demo switch first starts the simulator: ``make simulate``'s port
PLACEHOLDER_ROOT = "http://127.0.0.1:8765"
TIMEOUT_S = 3.0  # short, so a "timeout" outage falls back within seconds


@dataclass(frozen=True)
class DemoProvider:
    name: str
    kind: str  # the provider kind, also the simulator's vendor name
    priority: int
    path: str  # the SDK's base URL is the simulator's root plus this

    @property
    def key(self) -> str:
        """The demo key (public: it only opens the local simulator)."""
        return f"sk-demo-simulator-{self.kind}"

    def base_url(self, root: str) -> str:
        return root.rstrip("/") + self.path


DEMO_PROVIDERS: tuple[DemoProvider, ...] = (
    DemoProvider(f"{PREFIX}gemini", "gemini", 11, ""),
    DemoProvider(f"{PREFIX}openai", "openai", 21, "/v1"),
    DemoProvider(f"{PREFIX}anthropic", "anthropic", 31, ""),
)
BY_KIND = {p.kind: p for p in DEMO_PROVIDERS}
BY_NAME = {p.name: p for p in DEMO_PROVIDERS}


def demo_name(provider: str, kind: str | None = None) -> str:
    """The demo provider standing in for ``provider`` (by its kind, else its name), or ``provider``."""
    spec = BY_KIND.get(kind or provider)
    return spec.name if spec is not None else provider


def ensure(s, vault, *, root: str | None = None, active: bool | None = None) -> dict[str, Provider]:
    """Create the missing demo providers (inactive, placeholder URL) in session ``s``; with ``root``
    point them all at it, with ``active`` (de)activate them. Returns them by name."""
    have = {p.name: p for p in s.scalars(select(Provider).where(Provider.name.in_(list(BY_NAME)))).all()}
    for spec in DEMO_PROVIDERS:
        row = have.get(spec.name)
        if row is None:
            row = Provider(name=spec.name, kind=spec.kind, base_url=spec.base_url(PLACEHOLDER_ROOT),
                           priority=spec.priority, timeout_s=TIMEOUT_S, is_active=False, is_demo=True)
            s.add(row)
            have[spec.name] = row
        if not row.api_key_ciphertext:
            row.api_key_ciphertext, row.key_hint = vault.encrypt(spec.key), key_hint(spec.key)
        if root is not None:
            row.base_url = spec.base_url(root)
        if active is not None:
            row.is_active = active
    s.flush()
    return have
