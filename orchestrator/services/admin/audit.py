"""The audit trail: every admin change with who, when, what, before and after.

Callers pass plain dicts; any key that looks like a secret is dropped before
it is stored, so a key can never reach the audit log by accident.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from db.models import AuditEntry
from orchestrator.money import readable_usd
from orchestrator.services.actor import Actor

_SECRET_MARKERS = ("key", "password", "secret", "token", "ciphertext")
_ALLOWED = {"key_hint", "api_key_env", "key_changed"}
_COUNTS = re.compile(r"(max_)?tokens(_per_\w+)?(_override)?")  # token counts and limits, not credentials


def clean(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    out = {}
    for k, v in values.items():
        if k not in _ALLOWED and not _COUNTS.fullmatch(k) and any(m in k.lower() for m in _SECRET_MARKERS):
            continue
        if isinstance(v, Decimal):  # exact, without the storage scale: 10, not 10.000000000000
            v = _plain(v)
        out[k] = v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)
    return out


# ------------------------------------------------------------------ reading an entry

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_MONEY = ("usd", "fee", "cost", "price", "credit", "amount", "balance", "total", "margin")
_NOT_MONEY = ("_id", "id", "version", "pct", "count", "rows", "tokens", "batches")


def _plain(value: Decimal) -> str:
    """An exact Decimal without exponent or trailing zeros: '10', '0.0004425'."""
    return format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize(), "f")


def _is_money(name: str) -> bool:
    low = name.lower()
    return any(m in low for m in _MONEY) and not low.endswith(_NOT_MONEY)


def readable(name: str, value: Any, *, limit: int = 40) -> str:
    """One audited value as a person reads it in the log's summary: money as dollars
    (``$10.00``, ``$0.00123``), other numbers with thousands separators and no storage
    scale (``1,000,000``, ``12.5``), and long text or lists cut to ``limit`` characters.
    The exact stored value stays in the entry (the page shows it in full on selection)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    number = None
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = Decimal(value.strip())
    if number is not None:
        if _is_money(name):
            return readable_usd(number)
        return format(Decimal(_plain(number)), ",f")
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def change_text(name: str, before: Any, after: Any) -> str:
    """``before → after`` for the summary; when rounding would make a real change look like none
    (``$10.00 → $10.00``), both sides are written exactly instead (``$10 → $10.0004425``)."""
    old, new = readable(name, before), readable(name, after)
    if old == new and before != after:
        old, new = (_exact_text(name, v) for v in (before, after))
    return f"{old} → {new}"


def _exact_text(name: str, value: Any) -> str:
    text = str(exact({name: value})[name])
    if _is_money(name) and _NUMBER.fullmatch(text):
        return f"-${text[1:]}" if text.startswith("-") else f"${text}"
    return text


def exact(values: dict[str, Any] | None) -> dict[str, Any]:
    """An entry's stored values for the full view, with numbers written without the storage
    scale ("10.000000000000" -> "10"): still exact, nothing rounded."""
    out = {}
    for k, v in (values or {}).items():
        if isinstance(v, str) and _NUMBER.fullmatch(v.strip()):
            v = _plain(Decimal(v.strip()))
        out[k] = v
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
