"""Re-pricing ledger rows with a price card: the what-if of a price change, and the audited
re-pricing of a past period.

Both read only one model's provider calls (status success or error) in a time window,
through the ledger's (provider, timestamp) index: the provider names are those of the
model's kind now plus those the daily rollups saw serve the model in the window (a
provider renamed or deleted since still has its rows found).

- ``what_if`` sums the rows whose cost is linear in their columns per plan and tier
  bucket in SQL and prices each sum once; the others it groups by distinct usage (token
  counts, finer usage, plan) and prices each once with ``pricing.price``: exact
  ``Decimal`` sums of the rows' cost now and under the new card, per plan.
- ``run`` rewrites the rows' cost with one price version, ``BATCH_ROWS`` rows (by id) per
  transaction. Each batch that changed something stores a ``RepricingBatch`` with the
  exact old and new totals of the rows it changed and adds them to the run's totals, so
  the run always equals the sum of its batches, even if the process stops half way.
  A changed row gets ``repriced_run_id``, ``price_version_id``, ``cost_usd``, ``priced``
  and ``unpriced_reason``; ``cost_before_repricing_usd`` keeps the cost it was first
  recorded with (a second re-pricing does not overwrite it). ``charged_usd`` is never
  touched: re-pricing fixes what the calls cost us, not what users paid.
- Afterwards the daily rollups of the affected days are recomputed (``refresh_days``).

Rows whose usage block itself could not be trusted (recorded unpriced because the
provider reported invalid counts) are left alone: no card can price them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, literal, not_, select, update

from db.models import Provider, RepricingBatch, RepricingRun, UsageDaily, UsageRecord
from db.session import Database
from orchestrator import pricing, rollups
from orchestrator.pricing import PriceCard
from orchestrator.providers.base import TokenUsage

BATCH_ROWS = 5000
PROVIDER_CALLS = ("success", "error")
# unpriced reasons that come from the card (a new card may price such a row); any other
# unpriced reason is about the usage block itself, and re-pricing leaves the row alone
CARD_REASONS = ("the model is not in the price catalog", "the catalog has no input and output price",
                "the price card lacks a rate")
_R = UsageRecord
USAGE_COLUMNS = (_R.tokens_input, _R.tokens_output, _R.tokens_cached, _R.tokens_cache_write, _R.tokens_reasoning)


def usage_of(tokens_input: int, tokens_output: int, cached: int, cache_write: int, reasoning: int,
             detail: dict | str | None) -> TokenUsage:
    """A ledger row's usage as the adapter reported it (columns + ``usage_detail``)."""
    if isinstance(detail, str):
        detail = json.loads(detail) if detail else None
    return TokenUsage(input_tokens=tokens_input or 0, output_tokens=tokens_output or 0, cached_tokens=cached or 0,
                      cache_write_tokens=cache_write or 0, reasoning_tokens=reasoning or 0,
                      details={k: int(v) for k, v in (detail or {}).items()})


def repriceable(priced: bool, reason: str | None) -> bool:
    return priced or not reason or reason.startswith(CARD_REASONS)


def quantize(cost: Decimal | None) -> Decimal | None:
    """A cost as the ledger stores it (integer picodollars, banker's rounding)."""
    if cost is None:
        return None
    from db.base import pico_to_usd, usd_to_pico

    return pico_to_usd(usd_to_pico(cost))


def providers_of(s, kind: str, model: str, lo: datetime, hi: datetime) -> list[str]:
    """Provider names whose rows may hold ``model`` in [lo, hi): the kind's providers now, and
    those the rollups saw serve the model (a deleted or renamed provider keeps its rows)."""
    names = set(s.scalars(select(Provider.name).where(Provider.kind == kind)).all())
    last = (hi - timedelta(microseconds=1)).date()
    names |= set(s.scalars(select(UsageDaily.provider).distinct().where(
        UsageDaily.model == model, UsageDaily.day >= lo.date(), UsageDaily.day <= last)).all())
    return sorted(names)


def _where(kind: str, model: str, providers: list[str], lo: datetime, hi: datetime) -> tuple:
    return (_R.provider.in_(providers), _R.timestamp >= lo, _R.timestamp < hi, _R.provider_kind == kind,
            _R.model == model, _R.status.in_(PROVIDER_CALLS))


# ----------------------------------------------------------------- what if


@dataclass
class Impact:
    """One plan's (or all plans') provider calls of the model in the window."""

    rows: int = 0
    old_cost_usd: Decimal = Decimal(0)     # priced rows only, as recorded
    new_cost_usd: Decimal = Decimal(0)     # under the new card, as the ledger would store it
    unpriced_before: int = 0
    unpriced_after: int = 0
    skipped: int = 0                       # usage that no card can price (left as it is)

    @property
    def delta_usd(self) -> Decimal:
        return self.new_cost_usd - self.old_cost_usd

    def add(self, other: Impact) -> None:
        for name in ("rows", "old_cost_usd", "new_cost_usd", "unpriced_before", "unpriced_after", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def what_if(db: Database, kind: str, model: str, lo: datetime, hi: datetime, card: PriceCard
            ) -> dict[str, Impact]:
    """Per plan: the model's provider calls in [lo, hi) and their cost now and under ``card``.

    Rows whose cost is linear in their columns (the common case) are summed in SQL per plan
    and tier bucket and priced once per sum (``flat_cards``): at 1M rows that is a few
    GROUP BY rows instead of tens of thousands of genai-prices calls. The rest, and every row
    when a rate is too fine for sums to be exact, are priced once per distinct usage."""
    detail = cast(_R.usage_detail, Text)
    keys = (_R.plan, *USAGE_COLUMNS, detail, _R.unpriced_reason)
    out: dict[str, Impact] = defaultdict(Impact)
    cards = flat_cards(card)
    with db.read() as s:
        providers = providers_of(s, kind, model, lo, hi)
        if not providers:
            return {}
        where = _where(kind, model, providers, lo, hi)
        if cards is not None:
            _what_if_summed(s, where, cards, out)
            where = (*where, not_(_summable()))
        q = (select(*keys, func.count(), func.sum(_R.cost_usd), func.count(_R.cost_usd))
             .where(*where).group_by(*keys))
        groups = s.execute(q).all()
    prices: dict[tuple, Decimal | None] = {}
    for plan, t_in, t_out, t_cached, t_write, t_reason, usage_text, reason, n, old, n_priced in groups:
        imp, old = out[plan], old or Decimal(0)
        imp.rows += n
        imp.old_cost_usd += old
        imp.unpriced_before += n - n_priced
        if not repriceable(n_priced == n, reason if n_priced < n else None):
            imp.skipped += n
            imp.new_cost_usd += old
            imp.unpriced_after += n - n_priced
            continue
        ident = (t_in, t_out, t_cached, t_write, t_reason, usage_text)
        if ident not in prices:
            prices[ident] = quantize(pricing.price(card, usage_of(*ident)).cost)
        cost = prices[ident]
        if cost is None:
            imp.unpriced_after += n
        else:
            imp.new_cost_usd += cost * n
    return dict(out)


# ----------------------------------------------------------------- what if, summed


def _exact_to_pico(value: Decimal) -> bool:
    """A rate per MTok with at most 6 decimals: every per-row cost is then a whole number of
    picodollars, so the ledger's rounding is a no-op and sums of rows price like the rows."""
    return value.normalize().as_tuple().exponent >= -6


def flat_cards(card: PriceCard, *, ledger_exact: bool = True) -> list[tuple[int, PriceCard]] | None:
    """The card split at its tier starts: ``[(start, card with that tier's rates, no tiers)]``
    for rows whose input is above ``start`` (the first start is -1: every row), or None when a
    rate is too fine for sums to equal the rows' sum (then every distinct usage is priced).
    ``ledger_exact=False`` (a prediction, not stored per row) never returns None: without the
    ledger's per-row rounding a sum prices exactly like its rows whatever the rates."""
    tiered: dict[str, Any] = {}
    for name, key in pricing.NAMED_KEYS.items():
        base = getattr(card, name)
        if base is not None:
            tiered[key] = (base, [(int(t["start"]), Decimal(str(t["price"]))) for t in card.tiers.get(name) or []])
    for key, value in card.extra.items():
        if isinstance(value, Mapping):
            tiered[key] = (Decimal(str(value["base"])),
                           [(int(t["start"]), Decimal(str(t["price"]))) for t in value.get("tiers") or []])
        elif value is not None:
            tiered[key] = (Decimal(str(value)), [])
    rates = [base for base, _ in tiered.values()] + [p for _, steps in tiered.values() for _, p in steps]
    if ledger_exact and not all(_exact_to_pico(r) for r in rates):
        return None
    starts = sorted({-1} | {start for _, steps in tiered.values() for start, _ in steps})
    out = []
    for start in starts:
        prices: dict[str, str] = {}
        for key, (base, steps) in tiered.items():
            rate = base
            for step_start, price in sorted(steps):
                if start >= step_start:  # rows here have input > start >= step_start: the cliff applies
                    rate = price
            prices[key] = str(rate)
        out.append((start, PriceCard.from_prices(prices)))
    return out


def _summable():
    """Rows whose cost is linear in their columns: priced, no finer usage, cache counts within input."""
    return and_(_R.priced.is_(True), _R.usage_detail.is_(None),
                _R.tokens_cached + _R.tokens_cache_write <= _R.tokens_input, _R.tokens_reasoning <= _R.tokens_output)


def _what_if_summed(s, where: tuple, cards: list[tuple[int, PriceCard]], out: dict[str, Impact]) -> None:
    """Per plan and tier bucket, one priced sum (exact: the cost is linear within a bucket)."""
    starts = [start for start, _ in cards]
    bucket = case(*[(_R.tokens_input > start, i) for i, start in reversed(list(enumerate(starts))) if i],
                  else_=0) if len(starts) > 1 else literal(0)
    sums = [func.coalesce(func.sum(c), 0) for c in USAGE_COLUMNS]
    q = (select(_R.plan, bucket, func.count(), func.sum(_R.cost_usd), *sums)
         .where(*where, _summable()).group_by(_R.plan, bucket))
    for plan, index, n, old, t_in, t_out, t_cached, t_write, t_reason in s.execute(q).all():
        imp = out[plan]
        imp.rows += n
        imp.old_cost_usd += old or Decimal(0)
        cost = pricing.price(cards[int(index)][1], usage_of(int(t_in), int(t_out), int(t_cached), int(t_write),
                                                            int(t_reason), None)).cost
        if cost is None:
            imp.unpriced_after += n
        else:
            imp.new_cost_usd += cost


# ----------------------------------------------------------------- the audited run


@dataclass
class BatchTotals:
    first_row_id: int
    last_row_id: int
    rows: int
    old_total_usd: Decimal
    new_total_usd: Decimal


@dataclass
class Outcome:
    """What a re-pricing changed (or, in a dry run, would change)."""

    scanned: int = 0
    rows: int = 0
    old_total_usd: Decimal = Decimal(0)
    new_total_usd: Decimal = Decimal(0)
    unpriced_after: int = 0
    batches: list[BatchTotals] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None
    run_id: int | None = None


def _select_batch(kind, model, providers, lo, hi, after_id: int, limit: int):
    return (select(_R.id, _R.timestamp, *USAGE_COLUMNS, _R.usage_detail, _R.cost_usd, _R.priced, _R.unpriced_reason,
                   _R.price_version_id, _R.cost_before_repricing_usd, _R.repriced_run_id)
            .where(*_where(kind, model, providers, lo, hi), _R.id > after_id).order_by(_R.id).limit(limit))


def _changes(rows, card: PriceCard, version_id: int, run_id: int | None, out: Outcome):
    """The updates for one batch of rows, and its totals (None when nothing changes)."""
    updates, old_sum, new_sum = [], Decimal(0), Decimal(0)
    for r in rows:
        if not repriceable(r.priced, r.unpriced_reason):
            continue
        got = pricing.price(card, usage_of(r.tokens_input, r.tokens_output, r.tokens_cached, r.tokens_cache_write,
                                           r.tokens_reasoning, r.usage_detail))
        cost = quantize(got.cost)
        if cost == r.cost_usd and (cost is not None) == r.priced and version_id == r.price_version_id:
            continue
        old_sum += r.cost_usd or Decimal(0)
        new_sum += cost or Decimal(0)
        out.unpriced_after += cost is None
        day = r.timestamp.date()
        out.first_day = day if out.first_day is None else min(out.first_day, day)
        out.last_day = day if out.last_day is None else max(out.last_day, day)
        updates.append({"id": r.id, "cost_usd": cost, "priced": cost is not None,
                        "unpriced_reason": None if cost is not None else (got.reason or "")[:200] or None,
                        "price_version_id": version_id, "repriced_run_id": run_id,
                        # the cost first recorded, kept through later re-pricings
                        "cost_before_repricing_usd": r.cost_before_repricing_usd if r.repriced_run_id is not None
                        else r.cost_usd})
    if not updates:
        return None
    batch = BatchTotals(updates[0]["id"], updates[-1]["id"], len(updates), old_sum, new_sum)
    return updates, batch


def run(db: Database, *, kind: str, model: str, lo: datetime, hi: datetime, card: PriceCard, version_id: int,
        actor: str | None, reason: str | None, dry_run: bool, batch_rows: int = BATCH_ROWS,
        on_start: Callable[[Any, int], None] | None = None) -> Outcome:
    """Re-price the model's provider calls in [lo, hi) with ``card`` (version ``version_id``).

    ``dry_run`` reads and counts only. Otherwise a ``RepricingRun`` is created, each batch
    is one transaction (the run's totals grow with each batch); then the affected days'
    rollups are recomputed. ``on_start(session, run_id)`` runs in the transaction that creates
    the run (the caller's "started" audit entry, so even a run cut short is on record); the
    caller writes the closing audit entry with the totals."""
    out = Outcome()
    with db.read() as s:
        providers = providers_of(s, kind, model, lo, hi)
    if not dry_run:
        with db.write() as s:
            rec = RepricingRun(kind=kind, model=model, period_start=lo, period_end=hi, price_version_id=version_id,
                               rows=0, old_total_usd=Decimal(0), new_total_usd=Decimal(0), actor=actor,
                               reason=(reason or None) and reason[:300])
            s.add(rec)
            s.flush()
            out.run_id = rec.id
            if on_start is not None:
                on_start(s, rec.id)
    after = 0
    while providers:
        session = db.read() if dry_run else db.write()
        with session as s:
            fetched = s.execute(_select_batch(kind, model, providers, lo, hi, after, batch_rows)).all()
            if not fetched:
                break
            after = fetched[-1].id
            out.scanned += len(fetched)
            found = _changes(fetched, card, version_id, out.run_id, out)
            if found is None:
                continue
            updates, batch = found
            out.batches.append(batch)
            out.rows += batch.rows
            out.old_total_usd += batch.old_total_usd
            out.new_total_usd += batch.new_total_usd
            if dry_run:
                continue
            s.execute(update(UsageRecord), updates)
            s.add(RepricingBatch(run_id=out.run_id, first_row_id=batch.first_row_id, last_row_id=batch.last_row_id,
                                 rows=batch.rows, old_total_usd=batch.old_total_usd,
                                 new_total_usd=batch.new_total_usd))
            rec = s.get(RepricingRun, out.run_id)
            rec.rows += batch.rows
            rec.old_total_usd += batch.old_total_usd
            rec.new_total_usd += batch.new_total_usd
    if not dry_run and out.first_day is not None:
        refresh_days(db, out.first_day, out.last_day)
    return out


def refresh_days(db: Database, first: date, last: date) -> None:
    """Recompute the daily rollups of the re-priced days (``rollups.redo_days``)."""
    rollups.redo_days(db, first, last)
