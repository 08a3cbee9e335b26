"""Timeline throughput: ``python -m koreplan.bench.timeline [N]``.

Generates N synthetic cases (100,000 by default), then measures in one process:
the baseline — every case only parsed and validated — and the timeline — parsed,
validated and computed. Prints cases per second for both and their ratio; the aim
(issue 2) is at least 20,000 cases per second on one core.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date

from koreplan.domain.facts import parse_facts
from koreplan.domain.timeline import compute_timeline
from koreplan.synthetic import synthetic_facts

TODAY = date(2026, 11, 24)


def _best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    count = int(argv[0]) if argv else 100_000
    rng = random.Random(2026)
    cases = [synthetic_facts(rng, around=TODAY) for _ in range(count)]

    def parse_only():
        for raw in cases:
            parse_facts(raw, today=TODAY)

    def full_timeline():
        for raw in cases:
            compute_timeline(parse_facts(raw, today=TODAY), today=TODAY)

    parse_seconds = _best_of(3, parse_only)
    timeline_seconds = _best_of(3, full_timeline)
    obligations = sum(len(compute_timeline(parse_facts(raw, today=TODAY), today=TODAY).obligations) for raw in cases[:10_000])
    print(f"timeline bench: {count:,} synthetic cases, best of 3, one process")
    print(f"  baseline  parse + validate only : {count / parse_seconds:>10,.0f} cases/s")
    print(f"  timeline  parse + compute       : {count / timeline_seconds:>10,.0f} cases/s")
    print(f"  ratio     timeline / baseline   : {timeline_seconds / parse_seconds:>10.2f}x the time")
    print(f"  (about {obligations / min(count, 10_000):.1f} obligations per case; aim: >= 20,000 cases/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
