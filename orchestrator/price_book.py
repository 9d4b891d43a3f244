"""The price book: versions of each model's prices, and which one is in force when.

Every price change (seeding from genai-prices, an admin override, ``prices sync``)
appends a ``price_versions`` row with an ``effective_from`` time; versions are
never edited. The version in force at a moment is the latest one that started
at or before it. The request path reads the versions in force from the
in-process snapshot (``orchestrator.snapshot``), prices each attempt with that
card and writes the version's id on the ledger row.

``model_catalog``'s four price columns mirror the version in force when it was
written, for listings; the versions are the truth (they also hold the rates the
columns have no room for: 1-hour cache writes, audio, image...).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import CatalogModel, PriceVersion
from orchestrator.pricing import PriceCard

SOURCES = ("genai-prices", "admin", "builtin", "sync", "migration")


def card_of_row(m: CatalogModel) -> PriceCard:
    """The price card the catalog columns describe (no version id)."""
    return PriceCard(input=m.input_usd_per_mtok, output=m.output_usd_per_mtok,
                     cached_input=m.cached_input_usd_per_mtok, cache_write=m.cache_write_usd_per_mtok,
                     tiers=m.price_tiers or {})


def card_of_version(v: PriceVersion) -> PriceCard:
    return PriceCard.from_prices(v.prices, version_id=v.id)


def mirror(m: CatalogModel, card: PriceCard) -> None:
    """Write ``card``'s named rates into the catalog row's columns."""
    m.input_usd_per_mtok, m.output_usd_per_mtok = card.input, card.output
    m.cached_input_usd_per_mtok, m.cache_write_usd_per_mtok = card.cached_input, card.cache_write
    m.price_tiers = dict(card.tiers) or None


def latest(s: Session, kind: str, model: str) -> PriceVersion | None:
    """The newest version of a model's prices (scheduled ones included)."""
    return s.scalar(select(PriceVersion).where(PriceVersion.kind == kind, PriceVersion.model == model)
                    .order_by(PriceVersion.version.desc()).limit(1))


def in_force(s: Session, kind: str, model: str, when: datetime | None = None) -> PriceVersion | None:
    """The version in force at ``when`` (default now)."""
    at = when or datetime.now(UTC)
    return s.scalar(select(PriceVersion).where(PriceVersion.kind == kind, PriceVersion.model == model,
                                                 PriceVersion.effective_from <= at)
                    .order_by(PriceVersion.effective_from.desc(), PriceVersion.version.desc()).limit(1))


def history(s: Session, kind: str, model: str) -> list[PriceVersion]:
    return list(s.scalars(select(PriceVersion).where(PriceVersion.kind == kind, PriceVersion.model == model)
                          .order_by(PriceVersion.version.desc())).all())


def record(s: Session, m: CatalogModel, card: PriceCard, *, source: str, actor: str | None = None,
           note: str | None = None, effective_from: datetime | None = None, force: bool = False
           ) -> PriceVersion | None:
    """Append a version of ``m``'s prices (None when nothing changed, unless ``force``).

    A version effective now (or in the past) is mirrored into the catalog row at once;
    a scheduled one takes over when its time comes (the snapshot picks it)."""
    now = datetime.now(UTC)
    start = effective_from or now
    prices = card.as_prices()
    last = latest(s, m.kind, m.model)
    if last is not None and not force and last.prices == prices and last.effective_from <= start:
        return None
    number = (s.scalar(select(func.max(PriceVersion.version)).where(
        PriceVersion.kind == m.kind, PriceVersion.model == m.model)) or 0) + 1
    version = PriceVersion(kind=m.kind, model=m.model, version=number, effective_from=start, prices=prices,
                           source=source, note=(note or None) and note[:300], created_by=actor, created_at=now)
    s.add(version)
    s.flush()
    if start <= now:
        mirror(m, card)
    return version


def cards_in_force(versions: Iterable[PriceVersion], when: datetime) -> dict[tuple[str, str], PriceCard]:
    """Per (kind, model), the card of the version in force at ``when``."""
    best: dict[tuple[str, str], PriceVersion] = {}
    for v in versions:
        if v.effective_from > when:
            continue
        key = (v.kind, v.model)
        cur = best.get(key)
        if cur is None or (v.effective_from, v.version) > (cur.effective_from, cur.version):
            best[key] = v
    return {key: card_of_version(v) for key, v in best.items()}


def describe(card: PriceCard) -> dict[str, Any]:
    """A card as price key -> base decimal string (tiers marked), for diffs and listings."""
    out: dict[str, Any] = {}
    for key, value in card.as_prices().items():
        out[key] = f"{value['base']} (+tiers)" if isinstance(value, dict) else value
    return out
