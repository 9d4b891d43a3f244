"""Admin-editable settings kept in the database (``app_settings``), with defaults.

These are the knobs an admin turns without a deploy: cache lifetimes,
whether URL fetching may reach private addresses, alert thresholds.
"""

from __future__ import annotations

from typing import Any

from db.models import AppSetting
from db.session import Database

DEFAULTS: dict[str, Any] = {
    # seconds; 0 turns the response cache off for that task
    # (each task's default is its TaskSpec.default_cache_ttl_s; see _defaults)
    "cache_ttl_s": {},
    # whether a cache hit counts against the daily request quota
    "cache_hits_count_quota": False,
    # allow job-posting URLs that resolve to loopback/private/link-local addresses
    "url_fetch_allow_private": False,
    # the stakeholder demo (orchestrator/demo_mode): on or off, the simulator's address, outages per demo provider
    "demo_mode": {"enabled": False, "sim_url": None, "outages": {}, "replaced": []},
    # append the offline engine when no candidate of a chain can serve (fresh installs)
    "offline_fallback": True,
    # admin alerts (orchestrator/services/admin/alerts.py): provider error rate and p95 latency over the
    # last window_hours (providers with at least min_calls calls), today's cost against the trailing
    # 7-day average, users at quota_pct of a limit
    "alert_thresholds": {"error_rate_pct": 10.0, "p95_latency_s": 5.0, "spend_spike_multiple": 2.0,
                         "quota_pct": 80.0, "window_hours": 24, "min_calls": 20},
}


def get(db: Database, key: str) -> Any:
    with db.read() as s:
        row = s.get(AppSetting, key)
    default = _defaults().get(key)
    if row is None:
        return default
    if isinstance(default, dict) and isinstance(row.value, dict):
        return {**default, **row.value}
    return row.value


def put(db: Database, key: str, value: Any) -> None:
    with db.write() as s:
        row = s.get(AppSetting, key)
        if row is None:
            s.add(AppSetting(key=key, value=value))
        else:
            row.value = value


def _defaults() -> dict[str, Any]:
    from orchestrator.tasks import TASKS

    out = dict(DEFAULTS)
    out["cache_ttl_s"] = {name: spec.default_cache_ttl_s for name, spec in TASKS.items()}
    return out


def merge(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored values over the defaults (dict settings merged key by key)."""
    out: dict[str, Any] = {}
    for key, default in _defaults().items():
        value = stored.get(key, default)
        out[key] = {**default, **value} if isinstance(default, dict) and isinstance(value, dict) else value
    return out


def snapshot(db: Database) -> dict[str, Any]:
    """Every setting at once (one query), defaults filled in."""
    from sqlalchemy import select

    with db.read() as s:
        stored = {row.key: row.value for row in s.scalars(select(AppSetting)).all()}
    return merge(stored)
