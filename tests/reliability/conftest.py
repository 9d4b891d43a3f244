"""Reliability suite fixtures. After every test the books must balance
(``orchestrator.integrity.check``) and no hold may be left behind."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Reservation
from orchestrator.integrity import check


@pytest.fixture
def books(orch):
    """Yields the orchestrator; afterwards asserts that the ledger, holds, counters and credit agree."""
    yield orch
    problems = check(orch.db)
    assert problems == [], "\n".join(problems)


def live_holds(orch) -> list[Reservation]:
    with orch.db.read() as s:
        return s.scalars(select(Reservation).where(Reservation.status == "held")).all()
