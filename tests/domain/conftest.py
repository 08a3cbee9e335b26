from __future__ import annotations

from datetime import date

import pytest

from koreplan.domain.facts import parse_facts
from koreplan.domain.timeline import compute_timeline


@pytest.fixture
def timeline_of():
    """Compute the timeline of a facts mapping, as the command would."""

    def compute(facts: dict, today: date = date(2026, 1, 1), **kwargs):
        return compute_timeline(parse_facts(facts, today=today), today=today, **kwargs)

    return compute


def due(timeline, obligation_id: str, occurrence: int = 1) -> date | None:
    for o in timeline.obligations:
        if o.id == obligation_id and o.occurrence == occurrence:
            return o.due_on
    return None


def ids(timeline) -> set[str]:
    return {o.id for o in timeline.obligations}
