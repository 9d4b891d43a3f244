"""The price book with history, on both databases: a version per change, scheduled changes,
the preview of a change (diff, 30-day cost, margin per plan) against a hand computation,
confirmation of large jumps, audited re-pricing of a past period (batches, run totals,
charges untouched, rollups refreshed, integrity green and red when tampered with),
``prices sync`` on a catalog made stale on purpose, and the CLI's JSON."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from db.models import AuditEntry, PriceVersion, RepricingBatch, RepricingRun, UsageDaily, UsageRecord
from orchestrator import ledger, price_book, rollups
from orchestrator.cli import main
from orchestrator.errors import InputRejected, NotFound, PermissionDenied
from orchestrator.integrity import check
from orchestrator.providers.base import TokenUsage
from orchestrator.services.admin import catalog, price_changes, price_sync, users
from orchestrator.services.admin.price_changes import ConfirmationRequired
from tests.sim_support import set_chain
from tests.support import POSTING, acting, operator

M = Decimal(1_000_000)
FLASH = ("gemini", "gemini-2.5-flash")  # input 0.3, cache read 0.03, output 2.5, audio 1, cached audio 0.1


def _versions(orch, kind, model):
    with orch.db.read() as s:
        return s.scalars(select(PriceVersion).where(PriceVersion.kind == kind, PriceVersion.model == model)
                         .order_by(PriceVersion.version)).all()


def _plant(orch, *, plan="freemium", when=None, usage=None, cost=None, status="success", n=1, provider="gemini",
           kind="gemini", model="gemini-2.5-flash", user_id=None, reason=None):
    """Ledger rows written straight to the ledger (no holds, nothing charged)."""
    usage = usage or TokenUsage(input_tokens=1000, cached_tokens=200, output_tokens=500)
    when = when or datetime.now(UTC) - timedelta(days=2)
    with orch.db.write() as s:
        for i in range(n):
            s.add(ledger.attempt_record(request_id=f"r{time.monotonic_ns()}{i}", attempt=1, user_id=user_id, plan=plan,
                                task="extract_job", provider=provider, provider_kind=kind, model=model,
                                status=status, usage=usage, cost=cost, priced=cost is not None,
                                unpriced_reason=reason,
                                timestamp=when + timedelta(seconds=i)))


def _hand(inp, cached, out, rates):
    """Cost of a text-only usage: uncached input, cache reads and output at their rates."""
    return ((inp - cached) * rates[0] + cached * rates[1] + out * rates[2]) / M


# ----------------------------------------------------------------- versions


def test_every_change_makes_a_version(orch):
    kind, model = "anthropic", "claude-sonnet-4-5"
    assert [v.source for v in _versions(orch, kind, model)] == ["genai-prices"]
    row = catalog.set_price(orch, kind=kind, model=model, input_usd="3.5",
                            prices={"cache_write_1h_mtok": "7"}, note="contract", actor=operator("alice"))
    assert row.is_override and row.price_version == 2 and row.input_usd_per_mtok == Decimal("3.5")
    assert row.prices["cache_write_1h_mtok"] == "7" and row.prices["input_mtok"] == "3.5"
    assert row.prices["output_mtok"] == "15 (+tiers)" and row.has_price_tiers  # carried over, tiers too
    with pytest.raises(InputRejected, match="cannot be used together"):  # genai-prices needs a 5-minute rate
        catalog.set_price(orch, kind=kind, model=model, prices={"cache_write_mtok": ""}, confirm=True,
                          actor=operator())
    catalog.clear_override(orch, kind=kind, model=model, actor=operator())
    versions = _versions(orch, kind, model)
    assert [(v.version, v.source, v.created_by) for v in versions] == [
        (1, "genai-prices", None), (2, "admin", "cli:alice"), (3, "genai-prices", "cli:test")]
    assert versions[1].note == "contract" and versions[2].prices == versions[0].prices
    hist = price_changes.price_history(orch, kind=kind, model=model)
    assert [(h.version, h.status) for h in hist] == [(3, "in force"), (2, "past"), (1, "past")]
    added = catalog.add_model(orch, kind="anthropic", model="claude-3-5-haiku-latest", actor=operator())
    assert added.price_version == 1 and added.price_source == "genai-prices"
    flat = catalog.set_price(orch, kind=kind, model=model, input_usd="3", actor=operator())
    assert flat.price_version == 4  # input 3 is flat, genai-prices' was tiered: a change
    again = catalog.set_price(orch, kind=kind, model=model, input_usd="3", actor=operator())
    assert again.price_version == 4 and len(_versions(orch, kind, model)) == 4  # nothing changed: no version


def test_a_past_start_is_refused_and_a_scheduled_version_takes_effect_at_its_time(orch):
    kind, model = FLASH
    with pytest.raises(InputRejected, match="re-price"):
        catalog.set_price(orch, kind=kind, model=model, input_usd="0.5", effective_from="2020-01-01",
                          actor=operator())
    start = datetime.now(UTC) + timedelta(seconds=1.5)
    row = catalog.set_price(orch, kind=kind, model=model, input_usd="0.5", effective_from=start, actor=operator())
    assert row.price_version == 1 and row.scheduled_version == 2 and row.input_usd_per_mtok == Decimal("0.3")
    assert row.price_source == "genai-prices"  # the override is not in force yet
    assert orch.snapshot.config().catalog[FLASH].price.input == Decimal("0.3")
    time.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 1.2)  # past the start and the 1 s snapshot
    card = orch.snapshot.config().catalog[FLASH].price
    assert card.input == Decimal("0.5") and card.version_id == _versions(orch, kind, model)[1].id
    now = catalog.list_models(orch, kind="gemini")
    flash = next(r for r in now if r.model == model)
    assert flash.price_version == 2 and flash.scheduled_version is None and flash.is_override


def test_ledger_rows_of_a_real_request_name_their_price_version(sim_orch, demo_users):
    orch = sim_orch
    set_chain(orch, "freemium", "extract_job", "sim-openai:gpt-4o-mini")
    orch.run("extract_job", user="free@example.com", text=POSTING)
    (v,) = _versions(orch, "openai", "gpt-4o-mini")
    with orch.db.read() as s:
        rows = s.scalars(select(UsageRecord).where(UsageRecord.model == "gpt-4o-mini")).all()
    assert rows and all(r.price_version_id == v.id and r.priced for r in rows)


# ----------------------------------------------------------------- preview and confirmation


def test_preview_matches_a_hand_computation(demo_users):
    orch = demo_users
    kind, model = FLASH
    _plant(orch, plan="freemium", cost=_hand(1000, 200, 500, (Decimal("0.3"), Decimal("0.03"), Decimal("2.5"))),
           n=3)
    _plant(orch, plan="pro", usage=TokenUsage(input_tokens=40_000, output_tokens=1_234), status="error",
           cost=_hand(40_000, 0, 1_234, (Decimal("0.3"), 0, Decimal("2.5"))))
    _plant(orch, plan="pro", when=datetime.now(UTC) - timedelta(days=45), cost=Decimal(1))  # outside the window
    _plant(orch, plan="pro", model="gemini-2.5-pro", cost=Decimal(1))  # another model
    new = (Decimal("0.45"), Decimal("0.045"), Decimal("3"))
    p = price_changes.preview_price_change(orch, kind=kind, model=model,
                                           prices={"input_mtok": "0.45", "cache_read_mtok": "0.045",
                                                   "output_mtok": "3"})
    old_free = 3 * _hand(1000, 200, 500, (Decimal("0.3"), Decimal("0.03"), Decimal("2.5")))
    old_pro = _hand(40_000, 0, 1_234, (Decimal("0.3"), 0, Decimal("2.5")))
    new_free, new_pro = 3 * _hand(1000, 200, 500, new), _hand(40_000, 0, 1_234, new)
    assert (p.rows, p.old_cost_usd, p.new_cost_usd) == (4, old_free + old_pro, new_free + new_pro)
    assert [(c.key, c.old, c.new, c.ratio, c.jump) for c in p.changes] == [
        ("input_mtok", Decimal("0.3"), Decimal("0.45"), Decimal("1.5"), None),
        ("output_mtok", Decimal("2.5"), Decimal("3"), Decimal("1.2"), None),
        ("cache_read_mtok", Decimal("0.03"), Decimal("0.045"), Decimal("1.5"), None)]
    assert not p.needs_confirmation and p.end - p.start == timedelta(days=29)
    from orchestrator.services.reports.analytics_finance import plan_economics
    from orchestrator.services.reports.analytics_queries import AnalyticsFilter

    econ = {e.plan: e for e in plan_economics(orch, filt=AnalyticsFilter(start=p.start, end=p.end)).plans}
    plans = {x.plan: x for x in p.plans}
    assert plans["freemium"].cost_after_usd - plans["freemium"].cost_before_usd == new_free - old_free
    assert plans["pro"].cost_after_usd - plans["pro"].cost_before_usd == new_pro - old_pro
    for code, x in plans.items():
        assert x.revenue_usd == econ[code].revenue_usd and x.cost_before_usd == econ[code].ai_cost_usd
        assert x.margin_after_usd == x.revenue_usd - x.cost_after_usd
    assert plans["paygo"].cost_after_usd == plans["paygo"].cost_before_usd
    assert json.dumps(p.as_dict())  # all text, no Decimal or float


@pytest.mark.parametrize("model, change, jump", [
    ("gemini-2.5-flash", {"input_mtok": "3.01"}, "10.0x higher"),
    ("gemini-2.5-flash", {"output_mtok": "0.2"}, "12.5x lower"),
    ("gpt-5", {"cache_read_mtok": ""}, "removed"), ("gemini-2.5-flash", {"input_audio_mtok": "0"}, "set to zero"),
])
def test_jumps_need_confirmation(orch, model, change, jump):
    kind = "openai" if model == "gpt-5" else "gemini"
    with pytest.raises(ConfirmationRequired, match="needs confirmation") as err:
        catalog.set_price(orch, kind=kind, model=model, prices=change, actor=operator())
    assert [j.jump for j in err.value.jumps] == [jump]
    assert len(_versions(orch, kind, model)) == 1
    row = catalog.set_price(orch, kind=kind, model=model, prices=change, confirm=True, actor=operator())
    assert row.price_version == 2
    with orch.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "catalog.set_price")).one()
    assert entry.after["confirmed_jumps"] == list(change)


def test_ten_times_exactly_is_not_a_jump(orch):
    row = catalog.set_price(orch, kind="gemini", model="gemini-2.5-flash", input_usd="3", actor=operator())
    assert row.input_usd_per_mtok == Decimal(3)


# ----------------------------------------------------------------- re-pricing


def _paid_requests(orch, n=3):
    users.top_up(orch, email="paygo@example.com", amount_usd="5", actor=operator())
    set_chain(orch, "paygo", "extract_job", "sim-openai:gpt-4o-mini")
    for _ in range(n):
        orch.run("extract_job", user="paygo@example.com", text=POSTING, regenerate=True)


def _rows(orch, model="gpt-4o-mini"):
    with orch.db.read() as s:
        return s.scalars(select(UsageRecord).where(UsageRecord.model == model).order_by(UsageRecord.id)).all()


def test_repricing_changes_cost_keeps_charges_and_is_audited(sim_orch, demo_users):
    orch = sim_orch
    _paid_requests(orch)
    before = _rows(orch)
    assert before and all(r.charged_usd > 0 for r in before if r.status == "success")
    start, end = before[0].timestamp - timedelta(seconds=1), datetime.now(UTC)
    catalog.set_price(orch, kind="openai", model="gpt-4o-mini", input_usd="0.3", output_usd="1.2",
                      cached_input_usd="0.15", actor=operator())
    (_, v2) = _versions(orch, "openai", "gpt-4o-mini")
    dry = price_changes.reprice(orch, kind="openai", model="gpt-4o-mini", start=start, end=end, reason="",
                                actor=operator())
    assert dry.dry_run and dry.run_id is None and dry.rows == len(before)
    assert [r.cost_usd for r in _rows(orch)] == [r.cost_usd for r in before]
    users.add_user(orch, email="ops@example.com", plan="pro", role="admin", actor=operator())
    with pytest.raises(PermissionDenied, match="super admin"):
        price_changes.reprice(orch, kind="openai", model="gpt-4o-mini", start=start, end=end, reason="x",
                              confirm=True, actor=acting(orch, "ops@example.com"))
    res = price_changes.reprice(orch, kind="openai", model="gpt-4o-mini", start=start, end=end,
                                reason="contract price", confirm=True, batch_rows=2, actor=operator())
    after = _rows(orch)
    assert res.rows == len(before) and res.batches == (len(before) + 1) // 2 and res.version == 2
    assert res.old_total_usd == sum(r.cost_usd for r in before) == dry.old_total_usd
    assert res.new_total_usd == sum(r.cost_usd for r in after) == dry.new_total_usd == 2 * res.old_total_usd
    for b, a in zip(before, after):
        assert a.charged_usd == b.charged_usd and a.cost_before_repricing_usd == b.cost_usd
        assert (a.repriced_run_id, a.price_version_id, a.cost_usd) == (res.run_id, v2.id, 2 * b.cost_usd)
    with orch.db.read() as s:
        run = s.get(RepricingRun, res.run_id)
        batches = s.scalars(select(RepricingBatch).where(RepricingBatch.run_id == run.id)).all()
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "prices.reprice")).one()
        started = s.scalars(select(AuditEntry).where(AuditEntry.action == "prices.reprice.start")).one()
    assert started.after["run_id"] == run.id and started.after["reason"] == "contract price"
    assert started.id < entry.id  # on record before the batches ran
    assert (run.rows, run.old_total_usd, run.new_total_usd) == (res.rows, res.old_total_usd, res.new_total_usd)
    assert sum(b.old_total_usd for b in batches) == run.old_total_usd
    assert sum(b.new_total_usd for b in batches) == run.new_total_usd and run.reason == "contract price"
    assert entry.before == {"total_usd": str(res.old_total_usd.normalize())} and entry.after["run_id"] == run.id
    assert check(orch.db) == []
    # a second re-pricing keeps the original cost and takes the rows over
    catalog.set_price(orch, kind="openai", model="gpt-4o-mini", input_usd="0.45", output_usd="1.8",
                      cached_input_usd="0.225", actor=operator())
    again = price_changes.reprice(orch, kind="openai", model="gpt-4o-mini", start=start, end=end, reason="again",
                                  confirm=True, actor=operator())
    assert [r.cost_before_repricing_usd for r in _rows(orch)] == [r.cost_usd for r in before]
    assert again.new_total_usd == 3 * res.old_total_usd and check(orch.db) == []
    # tampering with a re-priced row is caught (batch total), and so is its original cost (the hold)
    with orch.db.write() as s:
        s.execute(update(UsageRecord).where(UsageRecord.id == after[0].id)
                  .values(cost_usd=after[0].cost_usd + Decimal("0.000001")))
    assert any("batch" in p for p in check(orch.db))
    with orch.db.write() as s:
        s.execute(update(UsageRecord).where(UsageRecord.id == after[0].id)
                  .values(cost_usd=3 * before[0].cost_usd, cost_before_repricing_usd=Decimal(1)))
    problems = check(orch.db)
    assert len(problems) == 1 and "settled at" in problems[0]


def test_repricing_refreshes_the_rollups_of_the_affected_days(orch):
    kind, model = FLASH
    day = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=3)
    rates = (Decimal("0.3"), Decimal("0.03"), Decimal("2.5"))
    _plant(orch, when=day, cost=_hand(1000, 200, 500, rates), n=4)
    _plant(orch, when=day, cost=None, usage=TokenUsage(input_tokens=5, output_tokens=-1), n=1,
           reason="the provider reported an invalid token count (output_tokens)")  # a bad usage block
    rollups.refresh_rollups(orch.db)

    def rolled():
        with orch.db.read() as s:
            return s.scalar(select(func.sum(UsageDaily.cost_usd)).where(UsageDaily.model == model))

    assert rolled() == 4 * _hand(1000, 200, 500, rates)
    catalog.set_price(orch, kind=kind, model=model, output_usd="5", actor=operator())
    res = price_changes.reprice(orch, kind=kind, model=model, start=day.date(), end=day + timedelta(hours=1),
                                reason="r", confirm=True, actor=operator())
    assert res.rows == 4 and res.scanned == 5  # the row with a bad usage block is left alone
    assert rolled() == 4 * _hand(1000, 200, 500, (rates[0], rates[1], Decimal(5))) == res.new_total_usd
    with pytest.raises(InputRejected, match="past period"):
        price_changes.reprice(orch, kind=kind, model=model, start=day, end=datetime.now(UTC) + timedelta(days=1),
                              reason="r", confirm=True, actor=operator())
    with pytest.raises(NotFound, match="no price version 9"):
        price_changes.reprice(orch, kind=kind, model=model, start=day, end=day + timedelta(hours=1), version=9,
                              reason="r", confirm=True, actor=operator())
    # back to version 1 explicitly
    back = price_changes.reprice(orch, kind=kind, model=model, start=day, end=day + timedelta(hours=1), version=1,
                                 reason="undo", confirm=True, actor=operator())
    assert back.new_total_usd == 4 * _hand(1000, 200, 500, rates) and check(orch.db) == []


# ----------------------------------------------------------------- sync


def _stale(orch):
    """gpt-5's genai-prices version made stale on purpose, and an admin override of gpt-5-mini."""
    with orch.db.write() as s:
        m = price_changes.catalog_row(s, "openai", "gpt-5")
        card = price_changes.apply_changes(price_book.card_of_version(price_book.in_force(s, "openai", "gpt-5")),
                                           {"input_mtok": Decimal("1"), "output_mtok": Decimal("8")})
        price_book.record(s, m, card, source="genai-prices", note="an older snapshot")
    catalog.set_price(orch, kind="openai", model="gpt-5-mini", input_usd="0.2", actor=operator())
    catalog.add_model(orch, kind="openai_compatible", model="local-x", actor=operator())


def test_sync_reports_then_applies_without_touching_overrides(orch):
    _stale(orch)
    items = {(i.kind, i.model): i for i in price_sync.sync(orch, actor=operator())}
    stale = items[("openai", "gpt-5")]
    assert stale.status == "stale" and [(c.key, c.old, c.new) for c in stale.changes] == [
        ("input_mtok", Decimal(1), Decimal("1.25")), ("output_mtok", Decimal(8), Decimal(10))]
    assert items[("openai", "gpt-5-mini")].status == "override"
    assert items[("openai_compatible", "local-x")].status == "unknown"
    assert items[("anthropic", "claude-sonnet-4-5")].status == "current"
    assert len(_versions(orch, "openai", "gpt-5")) == 2  # nothing changed without apply
    applied = {(i.kind, i.model): i for i in price_sync.sync(orch, apply=True, actor=operator())}
    assert applied[("openai", "gpt-5")].applied_version == 3
    assert applied[("openai", "gpt-5-mini")].applied_version is None
    v = _versions(orch, "openai", "gpt-5")[-1]
    assert v.source == "sync" and v.prices["input_mtok"] == "1.25"
    assert next(r for r in catalog.list_models(orch) if r.model == "gpt-5-mini").input_usd_per_mtok == Decimal("0.2")
    assert {i.status for i in price_sync.sync(orch, actor=operator())} == {"current", "override", "unknown"}
    with orch.db.read() as s:
        assert s.scalars(select(AuditEntry.target_id).where(AuditEntry.action == "prices.sync")).all() == [
            "openai:gpt-5"]


# ----------------------------------------------------------------- CLI


@pytest.fixture
def cli(database_url, settings, monkeypatch, capsys):
    monkeypatch.setenv("ORCHESTRATOR_MASTER_KEY", settings.master_keys[0])
    monkeypatch.setenv("ORCHESTRATOR_DATA_DIR", str(settings.data_dir))

    def run(*argv: str):
        code = main(["--database-url", database_url, *argv, "--json"])
        out, _err = capsys.readouterr()
        return code, json.loads(out)

    return run


def test_cli_json(cli, database_url):
    from orchestrator import Orchestrator

    code, data = cli("prices", "preview", "gemini", "gemini-2.5-flash", "--input", "0.6",
                     "--price", "output_audio_mtok=10")
    assert code == 0 and data["rows"] == 0 and [c["key"] for c in data["changes"]] == ["input_mtok",
                                                                                        "output_audio_mtok"]
    code, data = cli("prices", "set", "gemini", "gemini-2.5-flash", "--input", "30")
    assert code == 1 and data["error_type"] == "ConfirmationRequired" and "100.0x higher" in data["error"]
    code, data = cli("prices", "set", "gemini", "gemini-2.5-flash", "--input", "30", "--confirm", "--note", "typo")
    assert code == 0 and data["price_version"] == 2 and data["prices"]["input_mtok"] == "30"
    code, data = cli("prices", "history", "gemini", "gemini-2.5-flash")
    assert code == 0 and [(v["version"], v["source"], v["status"]) for v in data] == [
        (2, "admin", "in force"), (1, "genai-prices", "past")]
    orch = Orchestrator(database_url=database_url)
    _plant(orch, cost=Decimal(1), n=2)
    orch.close()
    day = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    today = datetime.now(UTC).date().isoformat()
    code, data = cli("prices", "reprice", "gemini", "gemini-2.5-flash", "--from", day, "--to", today, "--dry-run")
    assert code == 0 and data["dry_run"] and data["rows"] == 2 and data["old_total_usd"] == "2"
    code, data = cli("prices", "reprice", "gemini", "gemini-2.5-flash", "--from", day, "--to", today,
                     "--version", "1", "--reason", "typo")
    assert code == 0 and not data["dry_run"] and data["run_id"] and data["version"] == 1
    code, data = cli("prices", "sync")
    assert code == 0 and not data["applied"] and {m["model"] for m in data["models"]} == {"gemini-2.5-flash"}
    assert data["models"][0]["status"] == "override"
    code, data = cli("ledger", "check")
    assert code == 0 and data["ok"]
    code, data = cli("prices", "set", "gemini", "gemini-2.5-flash", "--price", "bogus_mtok=1")
    assert code == 1 and "Unknown price" in data["error"]


@pytest.mark.parametrize("summed", [True, False])  # sums per plan and tier bucket / every distinct usage
def test_preview_equals_pricing_every_row_one_by_one(orch, summed, monkeypatch):
    from orchestrator import pricing, repricing

    input_rate = "1.23456"
    if not summed:  # what a rate finer than picodollars per token gets (admins cannot type one)
        monkeypatch.setattr(repricing, "flat_cards", lambda card: None)

    kind, model = "gemini", "gemini-2.5-pro"  # input flat after the change, output still tiered above 200k
    usages = [TokenUsage(input_tokens=1_000, output_tokens=300),
              TokenUsage(input_tokens=1_000, output_tokens=300, cached_tokens=400),
              TokenUsage(input_tokens=250_000, output_tokens=2_000, cached_tokens=100_000),
              TokenUsage(input_tokens=200_000, output_tokens=7),  # on the boundary: not above it
              TokenUsage(input_tokens=3_000, output_tokens=40, details={"input_audio_tokens": 1_200}),
              TokenUsage(input_tokens=9_000, output_tokens=900, reasoning_tokens=600)]
    for n, usage in enumerate(usages, start=1):
        _plant(orch, kind=kind, model=model, provider="gemini", usage=usage, n=n,
               cost=pricing.price(lookup_card(kind, model), usage).cost)
    _plant(orch, kind=kind, model=model, usage=usages[0], n=2, cost=None,
           reason="the catalog has no input and output price for this model")
    _, new = price_changes.proposed(orch, kind=kind, model=model, prices={"input_mtok": input_rate})
    p = price_changes.preview_price_change(orch, kind=kind, model=model, prices={"input_mtok": input_rate})
    rows = [u for n, u in enumerate(usages, start=1) for _ in range(n)] + [usages[0]] * 2
    expected = sum((pricing.price(new, u).cost for u in rows), Decimal(0))
    assert p.rows == len(rows) and p.unpriced_before == 2 and p.unpriced_after == 0
    assert p.new_cost_usd == expected.quantize(Decimal("1e-12")) == expected


def lookup_card(kind, model):
    from orchestrator.pricing import lookup_genai_price

    return lookup_genai_price(kind, model).card
