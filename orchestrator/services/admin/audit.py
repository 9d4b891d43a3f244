"""The audit trail: every admin change with who, when, what, before and after.

Callers pass plain dicts; any key that looks like a secret is dropped before
it is stored, so a key can never reach the audit log by accident.
"""

from __future__ import annotations

from typing import Any

from db.models import AuditEntry
from orchestrator.services.actor import Actor

_SECRET_MARKERS = ("key", "password", "secret", "token", "ciphertext")
_ALLOWED = {"key_hint", "api_key_env", "key_changed"}


def clean(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    out = {}
    for k, v in values.items():
        if k not in _ALLOWED and any(m in k.lower() for m in _SECRET_MARKERS):
            continue
        out[k] = v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)
    return out


def record(session, *, actor: Actor | str, action: str, target_type: str, target_id: Any = None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    """Add an audit row to ``session`` (committed with the change it describes); ``actor`` is
    the checked ``Actor`` (its label is stored) or, for the system itself, a plain name."""
    who = actor.label if isinstance(actor, Actor) else actor
    if not isinstance(who, str) or not who:
        raise TypeError("audit entries need an Actor or a non-empty name")
    session.add(AuditEntry(actor=who, action=action, target_type=target_type,
                           target_id=None if target_id is None else str(target_id),
                           before=clean(before), after=clean(after)))
