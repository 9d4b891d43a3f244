"""One alerts run: evaluate every rule, move each alert's state, enqueue what must be said,
then send what is due.

Per alert (``key`` = kind:subject), in its own short transaction:
- not known, or ``resolved``, and firing now -> ``firing``: one "firing" message per channel;
- ``firing`` and still firing -> a reminder once ``last_sent_at`` is older than the cool-down
  (``ORCHESTRATOR_ALERT_COOLDOWN_S``), otherwise only its last value is updated;
- ``firing`` and no longer firing -> ``resolved``: exactly one "resolved" message.

Every transition is a conditional UPDATE (or an INSERT ... ON CONFLICT DO NOTHING for a new
alert) that only one of two overlapping runs can win, and it bumps ``sends``, which is part of
each delivery's unique ``dedupe_key``: a transition is enqueued once even when the server's
background job and ``alerts run`` on the CLI evaluate at the same moment. ``checked_at <= now``
in every condition keeps an evaluation from overriding a newer one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from db.base import utcnow
from db.models import AlertState
from db.session import insert_ignore
from orchestrator.alerting import channels, delivery, messages
from orchestrator.alerting.delivery import DeliveryInfo


@dataclass(frozen=True)
class Change:
    key: str
    kind: str
    subject: str
    event: str  # firing | repeat | resolved
    value: float
    threshold: float
    message: str
    enqueued: int  # deliveries enqueued for it (one per active channel)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RunReport:
    evaluated_at: datetime
    firing: int = 0  # alerts firing now, new or not
    changes: list[Change] = field(default_factory=list)
    deliveries: list[DeliveryInfo] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        count = lambda ev: sum(c.event == ev for c in self.changes)  # noqa: E731
        status = lambda st: sum(d.status == st for d in self.deliveries)  # noqa: E731
        return {"firing": self.firing, "new": count("firing"), "repeated": count("repeat"),
                "resolved": count("resolved"), "sent": status(delivery.SENT),
                "retrying": status(delivery.RETRYING), "failed": status(delivery.FAILED)}

    def as_dict(self) -> dict[str, Any]:
        return {"evaluated_at": self.evaluated_at.isoformat(), **self.summary(),
                "changes": [c.as_dict() for c in self.changes],
                "deliveries": [d.as_dict() for d in self.deliveries]}


def key_of(kind: str, subject: str) -> str:
    return f"{kind}:{subject}"[:320]


def run(orch, *, now: datetime | None = None, deliver: bool = True) -> RunReport:
    """Evaluate, transition, enqueue; then send every due delivery (new ones and retries)."""
    from orchestrator.services.admin import alerts

    now = now or utcnow()
    report = alerts.evaluate(orch, now=now)
    out = RunReport(evaluated_at=now, firing=len(report.alerts))
    current = {key_of(a.kind, a.subject): a for a in report.alerts}
    with orch.db.read() as s:
        known_firing = set(s.scalars(select(AlertState.key).where(AlertState.state == "firing")).all())
    for key in sorted(current.keys() | known_firing):
        a = current.get(key)
        window = messages.window_of(a.kind if a else key.split(":", 1)[0], report.thresholds.window_hours)
        change = _firing(orch, key, a, window, now) if a else _resolved(orch, key, window, now)
        if change:
            out.changes.append(change)
    if deliver:
        out.deliveries = delivery.deliver_due(orch, now=now)
    return out


def _firing(orch, key: str, a, window: str, now: datetime) -> Change | None:
    st = AlertState
    cooldown = timedelta(seconds=orch.settings.alert_cooldown_s)
    latest = {"value": float(a.value), "threshold": float(a.threshold), "message": a.message, "checked_at": now}
    with orch.db.write() as s:
        event = "firing" if insert_ignore(s, st, {
            "key": key, "kind": a.kind, "subject": a.subject[:254], "state": "firing", **latest,
            "first_fired_at": now, "resolved_at": None, "last_sent_at": now, "sends": 1}) else None
        if event is None and s.execute(update(st).where(st.key == key, st.state == "resolved", st.checked_at <= now)
                                       .values(state="firing", first_fired_at=now, resolved_at=None,
                                               last_sent_at=now, sends=st.sends + 1, **latest)).rowcount:
            event = "firing"
        if event is None and s.execute(update(st).where(st.key == key, st.state == "firing", st.checked_at <= now,
                                                        st.last_sent_at <= now - cooldown)
                                       .values(last_sent_at=now, sends=st.sends + 1, **latest)).rowcount:
            event = "repeat"
        if event is None:
            s.execute(update(st).where(st.key == key, st.state == "firing", st.checked_at <= now).values(**latest))
            return None
        return _enqueue(orch, s, key, event, window, now)


def _resolved(orch, key: str, window: str, now: datetime) -> Change | None:
    st = AlertState
    with orch.db.write() as s:
        won = s.execute(update(st).where(st.key == key, st.state == "firing", st.checked_at <= now)
                        .values(state="resolved", resolved_at=now, checked_at=now, sends=st.sends + 1)).rowcount
        return _enqueue(orch, s, key, "resolved", window, now) if won else None


def _enqueue(orch, s, key: str, event: str, window: str, now: datetime) -> Change:
    """One delivery per active channel for the transition this transaction just won."""
    row = s.get(AlertState, key, populate_existing=True)
    p = messages.payload(event="resolved" if event == "resolved" else "firing", key=key, kind=row.kind,
                         subject=row.subject, value=row.value, threshold=row.threshold, window=window,
                         message=row.message, fired_at=row.first_fired_at, resolved_at=row.resolved_at,
                         public_url=orch.settings.public_url)
    n = 0
    for ch in channels.active(s):
        n += delivery.enqueue(s, channel_id=ch.id, alert_key=key, event=p["event"],
                              payload={**p, "id": uuid.uuid4().hex},  # one id per message: receivers drop retries
                              dedupe_key=f"{ch.id}:{key}#{row.sends}",
                              max_attempts=orch.settings.alert_delivery_max_attempts, now=now)
    return Change(key=key, kind=row.kind, subject=row.subject, event=event, value=row.value,
                  threshold=row.threshold, message=row.message, enqueued=n)
