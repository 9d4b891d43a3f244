"""Dry run of a draft routing policy against the last 30 days of real traffic.

For each (plan, task) the ledger's *successful* attempts are aggregated in SQL
(one GROUP BY; the raw log is never loaded row by row) and their tokens are
priced at the draft chain's first usable candidate: the first step whose
provider exists and is active and whose model is active in the catalog.
The assumptions, shown to the admin with the result:

- every request would have succeeded on that first candidate (no failures,
  no fallbacks) and used the same number of tokens as it actually did;
- prices are the flat base rates (threshold tiers apply per request, which
  an aggregate cannot see; they only matter above ~200k input tokens);
- runtime state is ignored: keys and open circuits are not checked, since a
  draft may rely on a key that is about to be set.

"Actual" is everything the ledger recorded for that cell in the window,
failed attempts included: what the traffic really cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select, type_coerce

from db.base import Money
from db.models import CatalogModel, Provider, UsageRecord
from orchestrator.pricing import PriceCard, cost
from orchestrator.providers.base import TokenUsage
from orchestrator.routing import RouteStep, price_card

Matrix = dict[tuple[str, str], list[RouteStep]]
ASSUMPTIONS = (
    "Each successful request of the window is re-priced at the first usable model of the draft chain "
    "(provider active, model active), with the same token counts, assuming no failures or fallbacks. "
    "Base rates are used (threshold tiers ignored); keys and circuit state are not checked. "
    "Actual cost includes failed attempts."
)


@dataclass(frozen=True)
class DryRunCell:
    plan: str
    task: str
    requests: int  # successful requests in the window
    tokens_input: int
    tokens_output: int
    tokens_cached: int
    actual_cost_usd: Decimal  # every priced attempt, failures included
    actual_unpriced_attempts: int
    draft_step: str | None  # provider:model priced, None when no usable candidate
    draft_cost_usd: Decimal | None  # None: no usable candidate or the model is unpriced
    note: str = ""

    @property
    def delta_usd(self) -> Decimal | None:
        return None if self.draft_cost_usd is None else self.draft_cost_usd - self.actual_cost_usd


@dataclass(frozen=True)
class DryRunResult:
    since: datetime
    until: datetime
    cells: list[DryRunCell]
    actual_total_usd: Decimal
    draft_total_usd: Decimal  # priced cells only
    unpriced_cells: list[str] = field(default_factory=list)
    by_plan: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # plan -> (actual, draft)
    assumptions: str = ASSUMPTIONS

    @property
    def delta_usd(self) -> Decimal:
        return self.draft_total_usd - self.actual_total_usd


@dataclass(frozen=True)
class _Usage:
    requests: int = 0
    tokens_input: int = 0
    tokens_output: int = 0
    tokens_cached: int = 0
    tokens_cache_write: int = 0
    actual: Decimal = Decimal(0)
    unpriced: int = 0


def _traffic(orch, since: datetime, until: datetime) -> dict[tuple[str, str], _Usage]:
    """Per (plan, task): successful requests' tokens and every attempt's cost, in one GROUP BY."""
    ok = UsageRecord.status == "success"

    def ok_sum(col):
        return func.coalesce(func.sum(case((ok, col), else_=0)), 0)

    q = (
        select(UsageRecord.plan, UsageRecord.task_type,
               ok_sum(1), ok_sum(UsageRecord.tokens_input), ok_sum(UsageRecord.tokens_output),
               ok_sum(UsageRecord.tokens_cached), ok_sum(UsageRecord.tokens_cache_write),
               type_coerce(func.coalesce(func.sum(UsageRecord.cost_usd), 0), Money),
               func.coalesce(func.sum(case((UsageRecord.priced.is_(False), 1), else_=0)), 0))
        .where(UsageRecord.timestamp >= since, UsageRecord.timestamp < until,
               UsageRecord.status.in_(("success", "error")))
        .group_by(UsageRecord.plan, UsageRecord.task_type)
    )
    with orch.db.read() as s:
        rows = s.execute(q).all()
    return {(plan, task): _Usage(int(n), int(ti), int(to), int(tc), int(tw), Decimal(actual), int(unpriced))
            for plan, task, n, ti, to, tc, tw, actual, unpriced in rows}


def _first_usable(steps: list[RouteStep], providers: dict[str, Provider],
                  catalog: dict[tuple[str, str], CatalogModel]) -> tuple[RouteStep, CatalogModel | None] | None:
    for st in steps:
        p = providers.get(st.provider)
        if p is None or not p.is_active:
            continue
        row = catalog.get((p.kind, st.model))
        if row is not None and not row.is_active:
            continue
        return st, row
    return None


def _flat(card: PriceCard | None) -> PriceCard | None:
    if card is None:
        return None
    return PriceCard(card.input, card.output, card.cached_input, card.cache_write, tiers={})


def dry_run(orch, *, draft: Matrix, days: int = 30, now: datetime | None = None) -> DryRunResult:
    """What the last ``days`` of traffic would have cost under ``draft``, against what it cost."""
    until = now or datetime.now(UTC)
    since = until - timedelta(days=days)
    traffic = _traffic(orch, since, until)
    with orch.db.read() as s:
        providers = {p.name: p for p in s.scalars(select(Provider)).all()}
        catalog = {(m.kind, m.model): m for m in s.scalars(select(CatalogModel)).all()}
        cards = {key: _flat(price_card(m)) for key, m in catalog.items()}
        pick = {cell: _first_usable(steps, providers, catalog) for cell, steps in draft.items()}
        kinds = {name: p.kind for name, p in providers.items()}
    cells: list[DryRunCell] = []
    for plan, task in sorted(set(traffic) | set(draft)):
        use = traffic.get((plan, task), _Usage())
        chosen = pick.get((plan, task))
        step_label, draft_cost, note = None, None, ""
        if chosen is None:
            note = "no chain in the draft" if (plan, task) not in draft else "no usable candidate in the draft"
        else:
            step, _row = chosen
            step_label = step.label()
            usage = TokenUsage(input_tokens=use.tokens_input, output_tokens=use.tokens_output,
                               cached_tokens=use.tokens_cached, cache_write_tokens=use.tokens_cache_write)
            draft_cost = cost(cards.get((kinds[step.provider], step.model)), usage)
            if draft_cost is None:
                note = "model is unpriced"
        if use.unpriced:
            note = (note + "; " if note else "") + f"{use.unpriced} actual attempts were unpriced"
        cells.append(DryRunCell(plan, task, use.requests, use.tokens_input, use.tokens_output, use.tokens_cached,
                                use.actual, use.unpriced, step_label, draft_cost, note))
    return _summarise(cells, since, until)


def _summarise(cells: list[DryRunCell], since: datetime, until: datetime) -> DryRunResult:
    by_plan: dict[str, tuple[Decimal, Decimal]] = {}
    unpriced = []
    for c in cells:
        actual, draft = by_plan.get(c.plan, (Decimal(0), Decimal(0)))
        by_plan[c.plan] = (actual + c.actual_cost_usd, draft + (c.draft_cost_usd or Decimal(0)))
        if c.draft_cost_usd is None and c.requests:
            unpriced.append(f"{c.plan}/{c.task}")
    actual_total = sum((c.actual_cost_usd for c in cells), Decimal(0))
    draft_total = sum((c.draft_cost_usd for c in cells if c.draft_cost_usd is not None), Decimal(0))
    return DryRunResult(since, until, cells, actual_total, draft_total, unpriced, by_plan)
