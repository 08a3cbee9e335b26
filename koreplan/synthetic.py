"""Synthetic case facts with realistic distributions, for benchmarks and generated data.

Most sentences are short, parole is common, a share has no secured housing or income,
and some completions are late — so that timelines, worklists and dashboards see the
mix a real population gives. Pure Python and seeded: the same seed gives the same cases.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from koreplan.domain.calendar import Period

# (weight, months) — Danish prison sentences are mostly short.
_SENTENCE_MONTHS = ((30, 1), (20, 2), (12, 3), (8, 4), (8, 6), (7, 9), (6, 12), (4, 18), (3, 24), (1, 36), (1, 60))
_CASE_TYPES = (
    (78, "imprisonment"), (4, "remand_777"), (8, "parole_supervision"),
    (7, "conditional_supervision"), (2, "measure_68_69"), (1, "youth_home_detention"),
)


def _weighted(rng: random.Random, table):
    return rng.choices([v for _, v in table], weights=[w for w, _ in table])[0]


def synthetic_facts(rng: random.Random, *, around: date) -> dict:
    """One case's facts as the JSON of ``CASE.json``, with an intake within three years before ``around``."""
    case_type = _weighted(rng, _CASE_TYPES)
    intake = around - timedelta(days=rng.randint(0, 3 * 365))
    birth = intake - timedelta(days=rng.randint(18 * 365 + 5, 65 * 365))
    facts: dict = {"case_type": case_type, "birth_date": birth.isoformat()}
    if case_type in ("imprisonment", "remand_777"):
        sentence = Period(months=_weighted(rng, _SENTENCE_MONTHS))
        remanded = rng.random() < 0.25
        start = intake + timedelta(days=rng.randint(10, 120)) if remanded else intake
        release = sentence.after(start)
        facts.update(
            sentence=sentence.iso(),
            intake_on=intake.isoformat(),
            execution_started_on=start.isoformat(),
            remanded_until_execution_order=remanded,
            release_on=release.isoformat() if case_type == "imprisonment" or rng.random() < 0.5 else None,
            placement=rng.choice(("closed_prison", "open_prison", "open_prison", "arresthus", "pension")),
            housing_secured=rng.random() > 0.3,
            income_secured=rng.random() > 0.25,
            section_31_leave_possible=rng.random() > 0.4,
        )
        if case_type == "imprisonment" and sentence.months >= 3 and rng.random() < 0.7:
            parole = start + timedelta(days=int((release - start).days * 2 / 3))
            facts["expected_parole_on"] = parole.isoformat()
            facts["supervision_ends_on"] = release.isoformat()
    else:
        start = intake
        facts.update(
            supervision_started_on=start.isoformat(),
            supervision_ends_on=(start + timedelta(days=rng.choice((365, 730, 1095)))).isoformat(),
            needs_assistance=rng.random() > 0.1,
        )
        if case_type == "parole_supervision":
            facts["release_on"] = (start - timedelta(days=rng.randint(0, 7))).isoformat()
        if case_type == "measure_68_69":
            facts["admitted_under_judgment"] = rng.random() < 0.3
    return {k: v for k, v in facts.items() if v is not None}
