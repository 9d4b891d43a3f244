"""Dry run: two routing versions (live, a draft, or any saved version) priced on the same
recorded traffic under the same assumptions, cell by cell (plan x task).

Both sides are computed by one method, so a difference can only come from the chains:

- the requests are the same: every request of the window that got an answer (its successful
  attempt in the ledger), with the tokens it actually used;
- each side prices a cell's requests at the first usable model of *its* chain (provider
  exists and is active, model active in the catalog), as if no attempt failed and no
  fallback ran, on both sides; cliff tiers apply per request (``dryrun_traffic``);
- a cell with the same chain on both sides is priced once and used for both: its delta is
  exactly $0 by construction;
- a cell that cannot be priced on either side (no chain, no usable model, a model without
  a price) is shown with the reason and left out of *both* totals.

Runtime state (keys, open circuits) is not checked: a draft may rely on a key about to be
set. Requests that never got an answer and finer usage (audio or image tokens) are left
out on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from db.models import CatalogModel, Provider
from orchestrator.errors import InputRejected
from orchestrator.pricing import PriceCard
from orchestrator.routing import RouteStep, price_card
from orchestrator.services.reports.dryrun_traffic import CellTraffic, price_traffic, tier_starts, traffic

Matrix = dict[tuple[str, str], list[RouteStep]]
MAX_DAYS = 366
ASSUMPTIONS = (
    "Both versions are priced the same way on the same requests: every request of the window that got an "
    "answer, with the tokens it used, at the first usable model of each version's chain (provider active, "
    "model active in the catalog), as if no attempt failed and no fallback ran. Threshold tiers apply per "
    "request. Keys and circuit state are not checked. A cell that cannot be priced on either side is left "
    "out of both totals."
)


@dataclass(frozen=True)
class Side:
    """One version's view of a cell: its chain, the model its requests are priced at, the cost."""

    chain: tuple[RouteStep, ...]
    model: str | None  # provider:model priced; None without a usable one
    cost_usd: Decimal | None  # None: cannot be priced (see reason)
    reason: str = ""

    @property
    def chain_text(self) -> str:
        return " → ".join(s.label() for s in self.chain) or "(no chain)"


@dataclass(frozen=True)
class CellComparison:
    plan: str
    task: str
    requests: int
    tokens_input: int
    tokens_output: int
    a: Side
    b: Side

    @property
    def changed(self) -> bool:
        return self.a.chain != self.b.chain

    @property
    def priced(self) -> bool:
        return self.a.cost_usd is not None and self.b.cost_usd is not None

    @property
    def delta_usd(self) -> Decimal | None:
        return self.b.cost_usd - self.a.cost_usd if self.priced else None

    def reason(self, label_a: str = "A", label_b: str = "B") -> str:
        """Why the cell is left out of both totals ('' when priced)."""
        if self.a.reason and self.a.chain == self.b.chain:
            return f"both: {self.a.reason}"
        return "; ".join(f"{label}: {side.reason}" for label, side in ((label_a, self.a), (label_b, self.b))
                         if side.reason)


@dataclass(frozen=True)
class Comparison:
    label_a: str
    label_b: str
    since: datetime
    until: datetime
    cells: list[CellComparison]  # changed cells first, then by plan and task
    assumptions: str = ASSUMPTIONS

    @property
    def priced_cells(self) -> list[CellComparison]:
        return [c for c in self.cells if c.priced]

    @property
    def excluded(self) -> list[CellComparison]:
        return [c for c in self.cells if not c.priced]

    @property
    def changed(self) -> list[CellComparison]:
        return [c for c in self.cells if c.changed]

    @property
    def total_a_usd(self) -> Decimal:
        return sum((c.a.cost_usd for c in self.priced_cells), Decimal(0))

    @property
    def total_b_usd(self) -> Decimal:
        return sum((c.b.cost_usd for c in self.priced_cells), Decimal(0))

    @property
    def delta_usd(self) -> Decimal:
        return self.total_b_usd - self.total_a_usd

    @property
    def delta_pct(self) -> Decimal | None:
        return self.delta_usd / self.total_a_usd * 100 if self.total_a_usd else None

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.cells)

    @property
    def excluded_requests(self) -> int:
        return sum(c.requests for c in self.excluded)


@dataclass(frozen=True)
class _Catalog:
    providers: dict[str, Provider]
    models: dict[tuple[str, str], CatalogModel]
    cards: dict[tuple[str, str], PriceCard | None]


def _catalog(orch) -> _Catalog:
    with orch.db.read() as s:
        providers = {p.name: p for p in s.scalars(select(Provider)).all()}
        models = {(m.kind, m.model): m for m in s.scalars(select(CatalogModel)).all()}
        cards = {key: price_card(m) for key, m in models.items()}
    return _Catalog(providers, models, cards)


def _first_usable(steps: tuple[RouteStep, ...], cat: _Catalog) -> tuple[RouteStep | None, str]:
    """The step a chain's requests would be served by, or None and why none is usable."""
    if not steps:
        return None, "no chain"
    why = []
    for st in steps:
        p = cat.providers.get(st.provider)
        if p is None:
            why.append(f"provider '{st.provider}' does not exist")
        elif not p.is_active:
            why.append(f"provider '{st.provider}' is inactive")
        elif (row := cat.models.get((p.kind, st.model))) is not None and not row.is_active:
            why.append(f"{st.label()} is inactive in the catalog")
        else:
            return st, ""
    return None, "no usable model (" + "; ".join(why) + ")"


def _side(steps: tuple[RouteStep, ...], use: CellTraffic, cat: _Catalog) -> Side:
    step, why = _first_usable(steps, cat)
    if step is None:
        return Side(steps, None, None, why)
    kind = cat.providers[step.provider].kind
    got = price_traffic(cat.cards.get((kind, step.model)), use, step.label())
    return Side(steps, step.label(), got.cost, "" if got.cost is not None else got.reason or "cannot be priced")


def compare(orch, a: Matrix, b: Matrix, *, label_a: str = "A", label_b: str = "B", days: int = 30,
            now: datetime | None = None) -> Comparison:
    """The last ``days`` of recorded requests priced under version ``a`` and under ``b``."""
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InputRejected(f"The dry-run window must be 1 to {MAX_DAYS} days (got {days}).")
    until = now or datetime.now(UTC)
    since = until - timedelta(days=days)
    cat = _catalog(orch)
    used = traffic(orch.db, since, until, tier_starts([c for c in cat.cards.values() if c is not None]))
    cells = []
    for plan, task in set(used) | set(a) | set(b):
        use = used.get((plan, task), CellTraffic())
        chain_a, chain_b = tuple(a.get((plan, task), ())), tuple(b.get((plan, task), ()))
        side_a = _side(chain_a, use, cat)
        # the same chain is the same side: an unchanged cell's delta is exactly zero
        side_b = side_a if chain_b == chain_a else _side(chain_b, use, cat)
        cells.append(CellComparison(plan, task, use.requests, use.tokens_input, use.tokens_output, side_a, side_b))
    cells.sort(key=lambda c: (not c.changed, c.plan, c.task))
    return Comparison(label_a, label_b, since, until, cells)


def dry_run(orch, *, draft: Matrix, days: int = 30, now: datetime | None = None) -> Comparison:
    """The live version against ``draft`` on the last ``days`` of traffic."""
    from orchestrator.services.admin import policy

    live = policy.current(orch)
    return compare(orch, live.matrix if live else {}, draft, label_a=f"live v{live.version}" if live else "live",
                   label_b="draft", days=days, now=now)
