"""Price changes as admins make them: the proposed card, its diff, the preview of what it
would have cost over the last days, confirmation of large jumps, the version history, the
audited re-pricing of a past period (the sync with genai-prices is in ``price_sync``).

*A version* is one model's full price card from its ``effective_from`` on (``price_versions``,
see ``orchestrator.price_book``). A change names only the prices it changes (genai-prices
price keys, e.g. ``input_mtok``, ``cache_write_1h_mtok``, ``input_audio_mtok``; an empty
value removes a price); every other price, tiers included, is carried over from the version
in force. A change may be scheduled (a future ``effective_from``); a past one is refused:
changing the past is what re-pricing is for.

*Confirmation*: a price multiplied by more than 10 or divided by more than 10, removed, set
to zero or raised from zero must be confirmed (``confirm=True``), else ``ConfirmationRequired``.

*Re-pricing* rewrites the cost of a model's ledger rows over a past period with one version
(``orchestrator.repricing``): super admins only, never silent (a run, its batches and an
audit entry with the old and new totals), and never a change to what users were charged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from db.models import CatalogModel, PriceVersion
from orchestrator import price_book, pricing, repricing
from orchestrator.errors import InputRejected, NotFound
from orchestrator.money import usd_str
from orchestrator.pricing import PRICE_KEYS, PriceCard
from orchestrator.services.actor import SUPER_ADMIN, Actor, require
from orchestrator.services.admin import audit

JUMP = Decimal(10)
PREVIEW_DAYS = 30
MAX_USD = Decimal("10000")
# the catalog's named prices as the older keyword arguments call them
ALIASES = {"input": "input_mtok", "output": "output_mtok", "cached_input": "cache_read_mtok",
           "cache_write": "cache_write_mtok"}


class ConfirmationRequired(InputRejected):
    """A price change with a jump above 10x, below 0.1x, a price removed or set to/from zero:
    repeat it with ``confirm=True``. ``jumps`` lists the price changes that need it."""

    def __init__(self, message: str, jumps: list[KeyChange]):
        super().__init__(message)
        self.jumps = jumps


# ----------------------------------------------------------------- proposed card and diff


def parse_price(key: str, value: Any) -> Decimal | None:
    """A price per million tokens from text or Decimal; None for an empty value (remove it)."""
    if value is None or str(value).strip() == "":
        return None
    from orchestrator.services.admin.users import parse_usd

    name = PRICE_KEYS.get(key, key).lower()
    amount = parse_usd(value)
    if amount < 0 or amount > MAX_USD:
        raise InputRejected(f"The {name} price must be between $0 and $10,000 per million tokens.")
    if amount != amount.quantize(Decimal("0.00001")):
        raise InputRejected(f"The {name} price can have at most 5 decimals per million tokens.")
    return amount


def normalise(changes: Mapping[str, Any] | None) -> dict[str, Decimal | None]:
    """``{price key: Decimal or None (remove)}`` from genai-prices keys or the named aliases."""
    out: dict[str, Decimal | None] = {}
    for key, value in (changes or {}).items():
        key = ALIASES.get(key, key)
        if key not in PRICE_KEYS:
            raise InputRejected(f"Unknown price '{key}'; known: {', '.join(PRICE_KEYS)}.")
        out[key] = parse_price(key, value)
    return out


def apply_changes(card: PriceCard | None, changes: Mapping[str, Decimal | None]) -> PriceCard:
    """``card`` with the changed prices set flat (their tiers dropped) or removed."""
    prices = dict((card or PriceCard(None, None)).as_prices())
    for key, value in changes.items():
        if value is None:
            prices.pop(key, None)
        else:
            prices[key] = str(value)
    return PriceCard.from_prices(prices)


def validate(card: PriceCard) -> None:
    """Refuse a card genai-prices cannot use at all (e.g. a 1-hour cache write price without a
    5-minute one, which it needs as the fallback)."""
    if not card.priced:
        return
    from genai_prices.types import Usage

    try:
        card.model_price().calc_price(Usage(input_tokens=1, output_tokens=1))
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
        raise InputRejected(f"These prices cannot be used together: {pricing.explain(exc)}.") from None


def parse_when(value: datetime | str | None, *, now: datetime | None = None) -> datetime | None:
    """An effective-from time (naive means UTC); None or now means now; the past is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputRejected(f"'{value}' is not a date or an ISO timestamp.") from None
    when = value if value.tzinfo else value.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if when < now - timedelta(minutes=1):
        raise InputRejected("A price change cannot start in the past: to fix the cost of past calls, "
                            "re-price that period instead.")
    return when if when > now else None


@dataclass(frozen=True)
class KeyChange:
    """One price key's old and new value (None: no price) and what makes it a jump."""

    key: str
    label: str
    old: Decimal | None
    new: Decimal | None
    old_tiers: bool = False
    new_tiers: bool = False
    ratio: Decimal | None = None      # new / old, when both are set and old is not zero
    jump: str | None = None           # why this change needs confirmation

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "old": usd_str(self.old), "new": usd_str(self.new),
                "old_tiers": self.old_tiers, "new_tiers": self.new_tiers,
                "ratio": None if self.ratio is None else str(self.ratio.quantize(Decimal("0.0001"))),
                "jump": self.jump}


def _base(value: Any) -> tuple[Decimal | None, Any]:
    if value is None:
        return None, None
    if isinstance(value, Mapping):
        return Decimal(str(value["base"])), value.get("tiers") or None
    return Decimal(str(value)), None


def diff(old: PriceCard | None, new: PriceCard | None) -> list[KeyChange]:
    """The prices that differ between two cards, in ``PRICE_KEYS`` order."""
    a, b = (old.as_prices() if old else {}), (new.as_prices() if new else {})
    out = []
    for key in [*PRICE_KEYS, *sorted((set(a) | set(b)) - set(PRICE_KEYS))]:
        if a.get(key) == b.get(key):
            continue
        (o, ot), (n, nt) = _base(a.get(key)), _base(b.get(key))
        ratio = n / o if o and n is not None else None
        jump = None
        if o is not None and n is None:
            jump = "removed"
        elif o and n == 0:
            jump = "set to zero"
        elif o == 0 and n:
            jump = "raised from zero"
        elif ratio is not None and ratio > JUMP:
            jump = f"{ratio.quantize(Decimal('0.1'))}x higher"
        elif ratio is not None and ratio < 1 / JUMP:
            jump = f"{(1 / ratio).quantize(Decimal('0.1'))}x lower"
        out.append(KeyChange(key, PRICE_KEYS.get(key, key), o, n, bool(ot), bool(nt), ratio, jump))
    return out


def check_jumps(changes: list[KeyChange], confirm: bool) -> None:
    jumps = [c for c in changes if c.jump]
    if jumps and not confirm:
        what = "; ".join(f"{c.label} {usd_str(c.old) or 'unset'} -> {usd_str(c.new) or 'unset'} ({c.jump})"
                         for c in jumps)
        raise ConfirmationRequired(f"This price change needs confirmation: {what}.", jumps)


def catalog_row(s, kind: str, model: str) -> CatalogModel:
    row = s.scalar(select(CatalogModel).where(CatalogModel.kind == kind, CatalogModel.model == model))
    if row is None:
        raise NotFound(f"No model '{model}' of kind '{kind}' in the catalog.")
    return row


def card_in_force(s, kind: str, model: str, when: datetime | None = None) -> PriceCard | None:
    """The card of the version in force at ``when`` (the catalog columns for a model without one)."""
    v = price_book.in_force(s, kind, model, when)
    if v is not None:
        return price_book.card_of_version(v)
    m = s.scalar(select(CatalogModel).where(CatalogModel.kind == kind, CatalogModel.model == model))
    return price_book.card_of_row(m) if m is not None else None


# ----------------------------------------------------------------- preview


@dataclass(frozen=True)
class PlanImpact:
    """A plan over the preview window: revenue, AI cost and margin now and under the new card."""

    plan: str
    revenue_usd: Decimal
    cost_before_usd: Decimal
    cost_after_usd: Decimal

    @property
    def margin_before_usd(self) -> Decimal:
        return self.revenue_usd - self.cost_before_usd

    @property
    def margin_after_usd(self) -> Decimal:
        return self.revenue_usd - self.cost_after_usd

    def as_dict(self) -> dict[str, Any]:
        return {"plan": self.plan, "revenue_usd": usd_str(self.revenue_usd),
                "cost_before_usd": usd_str(self.cost_before_usd), "cost_after_usd": usd_str(self.cost_after_usd),
                "margin_before_usd": usd_str(self.margin_before_usd),
                "margin_after_usd": usd_str(self.margin_after_usd)}


@dataclass(frozen=True)
class PricePreview:
    kind: str
    model: str
    start: date
    end: date
    changes: list[KeyChange]
    rows: int
    old_cost_usd: Decimal
    new_cost_usd: Decimal
    unpriced_before: int
    unpriced_after: int
    plans: list[PlanImpact] = field(default_factory=list)
    new_prices: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_confirmation(self) -> bool:
        return any(c.jump for c in self.changes)

    @property
    def delta_usd(self) -> Decimal:
        return self.new_cost_usd - self.old_cost_usd

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "model": self.model, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "changes": [c.as_dict() for c in self.changes], "rows": self.rows,
                "old_cost_usd": usd_str(self.old_cost_usd), "new_cost_usd": usd_str(self.new_cost_usd),
                "delta_usd": usd_str(self.delta_usd), "unpriced_before": self.unpriced_before,
                "unpriced_after": self.unpriced_after, "needs_confirmation": self.needs_confirmation,
                "plans": [p.as_dict() for p in self.plans], "new_prices": self.new_prices}


def proposed(orch, *, kind: str, model: str, prices: Mapping[str, Any] | None,
             effective_from: datetime | None = None) -> tuple[PriceCard | None, PriceCard]:
    """(the card in force when the change would start, the card after the change)."""
    changes = normalise(prices)
    with orch.db.read() as s:
        catalog_row(s, kind, model)
        old = card_in_force(s, kind, model, effective_from)
    new = apply_changes(old, changes)
    validate(new)
    return old, new


def preview_price_change(orch, *, kind: str, model: str, prices: Mapping[str, Any] | None,
                         days: int = PREVIEW_DAYS, today: date | None = None) -> PricePreview:
    """The diff of a proposed change, and what the model's calls of the last ``days`` UTC days
    (today included) would have cost under it: in total, and per plan with revenue and
    margin (revenue as plan economics computes it, see ``analytics_finance``)."""
    from orchestrator.rollups import day_bounds
    from orchestrator.services.reports.analytics_finance import plan_economics
    from orchestrator.services.reports.analytics_queries import AnalyticsFilter

    if not 1 <= days <= 366:
        raise InputRejected("The preview covers 1 to 366 days.")
    old, new = proposed(orch, kind=kind, model=model, prices=prices)
    today = today or datetime.now(UTC).date()
    start = today - timedelta(days=days - 1)
    lo, hi = day_bounds(start, today)
    impacts = repricing.what_if(orch.db, kind, model, lo, hi, new)
    total = repricing.Impact()
    for imp in impacts.values():
        total.add(imp)
    report = plan_economics(orch, filt=AnalyticsFilter(start=start, end=today))
    plans = []
    for p in report.plans:
        delta = impacts[p.plan].delta_usd if p.plan in impacts else Decimal(0)
        plans.append(PlanImpact(p.plan, p.revenue_usd, p.ai_cost_usd, p.ai_cost_usd + delta))
    return PricePreview(kind, model, start, today, diff(old, new), total.rows, total.old_cost_usd,
                        total.new_cost_usd, total.unpriced_before, total.unpriced_after, plans,
                        price_book.describe(new))


# ----------------------------------------------------------------- history


@dataclass(frozen=True)
class VersionInfo:
    id: int
    kind: str
    model: str
    version: int
    effective_from: datetime
    source: str
    created_by: str | None
    created_at: datetime
    note: str | None
    prices: dict[str, Any]
    status: str  # in force | scheduled | past

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["effective_from"], d["created_at"] = self.effective_from.isoformat(), self.created_at.isoformat()
        return d


def price_history(orch, *, kind: str, model: str, now: datetime | None = None) -> list[VersionInfo]:
    """Every version of a model's prices, newest first, with which one is in force."""
    now = now or datetime.now(UTC)
    with orch.db.read() as s:
        catalog_row(s, kind, model)
        current = price_book.in_force(s, kind, model, now)
        versions = price_book.history(s, kind, model)
    return [VersionInfo(v.id, v.kind, v.model, v.version, v.effective_from, v.source, v.created_by, v.created_at,
                        v.note, price_book.describe(price_book.card_of_version(v)),
                        "in force" if current is not None and v.id == current.id
                        else ("scheduled" if v.effective_from > now else "past"))
            for v in versions]


# ----------------------------------------------------------------- re-pricing


@dataclass(frozen=True)
class RepricingResult:
    kind: str
    model: str
    start: datetime
    end: datetime
    version: int
    version_id: int
    dry_run: bool
    run_id: int | None
    scanned: int
    rows: int
    old_total_usd: Decimal
    new_total_usd: Decimal
    unpriced_after: int
    batches: int

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["start"], d["end"] = self.start.isoformat(), self.end.isoformat()
        d["old_total_usd"], d["new_total_usd"] = usd_str(self.old_total_usd), usd_str(self.new_total_usd)
        d["delta_usd"] = usd_str(self.new_total_usd - self.old_total_usd)
        return d


_ENDS = {"from": "start", "to": "end"}  # the messages name what a form and the CLI both show


def _moment(value: datetime | date | str, name: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputRejected(f"The period's {_ENDS.get(name, name)} must be a date like 2026-11-01 or an ISO timestamp.") from None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def reprice(orch, *, kind: str, model: str, start: datetime | date | str, end: datetime | date | str,
            version: int | None = None, reason: str, confirm: bool = False, actor: Actor,
            batch_rows: int = repricing.BATCH_ROWS) -> RepricingResult:
    """Re-price the model's provider calls in [start, end) with price version number ``version``
    (None: the version in force now). Without ``confirm`` it is a dry run that changes
    nothing. Super admins only: it rewrites the cost side of the books (``charged_usd``,
    what users paid, is never changed). Audited with the old and new totals."""
    require(orch, actor, SUPER_ADMIN, message="Only a super admin may re-price past calls.")
    lo, hi = _moment(start, "from"), _moment(end, "to")
    now = datetime.now(UTC)
    if hi <= lo:
        raise InputRejected("The period is empty: its end must be after its start.")
    if hi > now:
        raise InputRejected("Only a past period can be re-priced: its end must not be in the future.")
    reason = (reason or "").strip()
    if confirm and not reason:
        raise InputRejected("Say why the period is re-priced (a reason is required).")
    with orch.db.read() as s:
        catalog_row(s, kind, model)
        if version is None:
            v = price_book.in_force(s, kind, model, now)
            if v is None:
                raise NotFound(f"{kind}:{model} has no price version in force.")
        else:
            v = s.scalar(select(PriceVersion).where(PriceVersion.kind == kind, PriceVersion.model == model,
                                                    PriceVersion.version == version))
            if v is None:
                raise NotFound(f"{kind}:{model} has no price version {version}.")
        card, vid, number = price_book.card_of_version(v), v.id, v.version

    def started(s, run_id: int) -> None:  # on record before the first batch, even if the run is cut short
        audit.record(s, actor=actor, action="prices.reprice.start", target_type="model", target_id=f"{kind}:{model}",
                     after={"run_id": run_id, "version": number, "period_start": lo.isoformat(),
                            "period_end": hi.isoformat(), "reason": reason})

    out = repricing.run(orch.db, kind=kind, model=model, lo=lo, hi=hi, card=card, version_id=vid, actor=actor.label,
                        reason=reason, dry_run=not confirm, batch_rows=batch_rows, on_start=started)
    if confirm:
        with orch.db.write() as s:
            audit.record(s, actor=actor, action="prices.reprice", target_type="model", target_id=f"{kind}:{model}",
                         before={"total_usd": usd_str(out.old_total_usd)},
                         after={"total_usd": usd_str(out.new_total_usd), "rows": out.rows, "run_id": out.run_id,
                                "version": number, "period_start": lo.isoformat(), "period_end": hi.isoformat(),
                                "batches": len(out.batches), "reason": reason})
        from orchestrator.services.reports.analytics_queries import clear_cache

        clear_cache()
    return RepricingResult(kind, model, lo, hi, number, vid, not confirm, out.run_id, out.scanned, out.rows,
                           out.old_total_usd, out.new_total_usd, out.unpriced_after, len(out.batches))
