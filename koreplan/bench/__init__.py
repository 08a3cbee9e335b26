"""Benchmarks: each figure printed next to a baseline measured in the same run.

- ``timeline``: the pure timeline, cases per second, against parsing only.
- ``web``: the busy social worker's pages, the national dashboard and the nightly
  recalculation on the national data, each against its baseline (``koreplan bench``,
  ``make bench``).
- ``views``/``urls``: the baseline page, ``/bench/ping/``: a minimal authenticated page on
  the same stack. Mounted in ``config.urls`` only when ``KOREPLAN_BENCH`` is set (a setting
  or the environment variable); the bench mounts it for itself.
"""

import os


def bench_enabled() -> bool:
    from django.conf import settings

    value = getattr(settings, "KOREPLAN_BENCH", None)
    if value is None:
        value = os.environ.get("KOREPLAN_BENCH", "")
    return str(value).strip().lower() in {"1", "true", "yes", "on"}
