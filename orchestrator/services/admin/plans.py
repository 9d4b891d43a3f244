"""Plans and their limits (editable without code changes), whether a plan keeps each
request's prompt and answer for the request inspector (``keep_payloads``), and whether its
users' personal data goes to external providers as placeholders (``redact_personal_data``,
``orchestrator.placeholders``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from db.models import Plan
from orchestrator.errors import InputRejected, NotFound
from orchestrator.money import usd_str
from orchestrator.services.admin import audit
from orchestrator.services.actor import Actor, require
from orchestrator.services.admin.users import parse_usd


@dataclass(frozen=True)
class PlanInfo:
    code: str
    name: str
    description: str
    monthly_fee_usd: Decimal
    requests_per_day: int | None
    tokens_per_month: int | None
    cost_cap_usd_month: Decimal | None
    uses_credit: bool
    markup_pct: int
    keep_payloads: bool = False  # prompts and answers kept (redacted) for the request inspector
    redact_personal_data: bool = True  # name and contact details sent to external providers as placeholders

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        for k in ("monthly_fee_usd", "cost_cap_usd_month"):
            d[k] = usd_str(d[k])
        return d


def _info(p: Plan) -> PlanInfo:
    return PlanInfo(p.code, p.name, p.description, p.monthly_fee_usd, p.requests_per_day, p.tokens_per_month,
                    p.cost_cap_usd_month, p.uses_credit, p.markup_pct, bool(p.keep_payloads),
                    p.redact_personal_data is not False)


def list_plans(orch) -> list[PlanInfo]:
    with orch.db.read() as s:
        return [_info(p) for p in s.scalars(select(Plan).order_by(Plan.sort_order, Plan.code)).all()]


def _limit_int(name: str, value) -> int | None:
    if value is None or str(value).strip().lower() in ("none", "unlimited", ""):
        return None
    try:
        n = int(str(value).replace(",", "").replace("_", ""))
    except ValueError:
        raise InputRejected(f"{name} must be a whole number or 'none'.") from None
    if n < 0:
        raise InputRejected(f"{name} cannot be negative.")
    return n


def set_limits(orch, *, code: str, actor: Actor, **changes) -> PlanInfo:
    """Change limits; a value of None/'none' removes that limit (unlimited).

    ``keep_payloads`` (a bool, or on/off, yes/no, true/false) turns the request inspector's
    stored prompts and answers on or off for requests made on the plan from now on;
    ``redact_personal_data`` (alike) whether its users' name and contact details reach external
    providers as placeholders (on) or as they are (off). Both are audited with the limits."""
    require(orch, actor)
    with orch.db.write() as s:
        plan = s.scalar(select(Plan).where(Plan.code == code))
        if plan is None:
            raise NotFound(f"No plan '{code}'.")
        before = _info(plan).as_dict()
        if "requests_per_day" in changes:
            plan.requests_per_day = _limit_int("requests_per_day", changes["requests_per_day"])
        if "tokens_per_month" in changes:
            plan.tokens_per_month = _limit_int("tokens_per_month", changes["tokens_per_month"])
        if "cost_cap_usd" in changes:
            raw = changes["cost_cap_usd"]
            plan.cost_cap_usd_month = None if raw is None or str(raw).lower() in ("none", "unlimited") \
                else _non_negative(parse_usd(raw), "cost cap")
        if "markup_pct" in changes:
            plan.markup_pct = _limit_int("markup_pct", changes["markup_pct"]) or 0
        if "monthly_fee_usd" in changes:
            plan.monthly_fee_usd = _non_negative(parse_usd(changes["monthly_fee_usd"]), "monthly fee")
        if "keep_payloads" in changes:
            plan.keep_payloads = _switch("keep_payloads", changes["keep_payloads"])
        if "redact_personal_data" in changes:
            plan.redact_personal_data = _switch("redact_personal_data", changes["redact_personal_data"])
        after = _info(plan).as_dict()
        audit.record(s, actor=actor, action="plan.set_limits", target_type="plan", target_id=code,
                     before=before, after=after)
        return _info(plan)


def _non_negative(v: Decimal, what: str) -> Decimal:
    if v < 0:
        raise InputRejected(f"The {what} cannot be negative.")
    return v


def _switch(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("on", "yes", "true", "1"):
        return True
    if text in ("off", "no", "false", "0"):
        return False
    raise InputRejected(f"{name} must be on or off.")
