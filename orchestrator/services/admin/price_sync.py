"""``prices sync``: the prices in force compared with the installed genai-prices snapshot.

Every model priced from genai-prices (the local engine aside) is compared key by key
with what the snapshot says now. Without ``apply`` nothing changes; with it, each stale
model gets the snapshot's prices as a new version (source ``sync``), audited. A model
whose price in force is an admin override is reported, never overwritten; a model the
snapshot does not know is reported as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from db.models import CatalogModel
from orchestrator import price_book
from orchestrator.money import usd_str
from orchestrator.pricing import PriceCard, lookup_genai_price
from orchestrator.providers.registry import find_kind
from orchestrator.services.actor import Actor, require
from orchestrator.services.admin import audit
from orchestrator.services.admin.price_changes import KeyChange, diff


@dataclass(frozen=True)
class SyncItem:
    kind: str
    model: str
    status: str  # stale | override | unknown | current
    ref: str | None
    changes: list[KeyChange]
    applied_version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "model": self.model, "status": self.status, "genai_prices_ref": self.ref,
                "changes": [c.as_dict() for c in self.changes], "applied_version": self.applied_version}


SYNC_NOTES = {"stale": "differs from genai-prices", "override": "admin override: reported, never overwritten",
              "unknown": "genai-prices does not know this model", "current": "matches genai-prices"}


def _sync_items(s, now: datetime) -> list[tuple[CatalogModel, SyncItem, PriceCard | None]]:
    out = []
    for m in s.scalars(select(CatalogModel).order_by(CatalogModel.kind, CatalogModel.model)).all():
        descriptor = find_kind(m.kind)
        if descriptor is not None and descriptor.local_engine:
            continue  # built in and free
        v = price_book.in_force(s, m.kind, m.model, now)
        ours = price_book.card_of_version(v) if v is not None else price_book.card_of_row(m)
        found = lookup_genai_price(m.kind, m.model, now)
        if found is None:
            out.append((m, SyncItem(m.kind, m.model, "unknown", None, []), None))
            continue
        changes = diff(ours, found.card)
        status = "current" if not changes else ("override" if v is not None and v.source == "admin" else "stale")
        out.append((m, SyncItem(m.kind, m.model, status, found.ref, changes), found.card))
    return out


def sync(orch, *, apply: bool = False, actor: Actor) -> list[SyncItem]:
    """Compare the prices in force with the installed genai-prices snapshot. With ``apply``, every
    stale model (not an admin override) gets the snapshot's prices as a new version (source
    ``sync``), audited; without it nothing changes."""
    require(orch, actor)
    now = datetime.now(UTC)
    if not apply:
        with orch.db.read() as s:
            return [item for _m, item, _c in _sync_items(s, now)]
    items = []
    with orch.db.write() as s:
        for m, item, card in _sync_items(s, now):
            if item.status == "stale" and card is not None:
                v = price_book.record(s, m, card, source="sync", actor=actor.label,
                                      note=f"prices sync with genai-prices {item.ref}")
                m.price_source, m.genai_prices_ref = "genai-prices", item.ref
                if v is not None:
                    item = replace(item, applied_version=v.version)
                    audit.record(s, actor=actor, action="prices.sync", target_type="model",
                                 target_id=f"{m.kind}:{m.model}",
                                 before={c.key: usd_str(c.old) for c in item.changes},
                                 after={**{c.key: usd_str(c.new) for c in item.changes}, "version": v.version})
            items.append(item)
    return items

