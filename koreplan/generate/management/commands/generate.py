"""``koreplan generate --scale demo|national``: synthetic data for demonstrations and benchmarks."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from koreplan.cases.demo import DEMO_PASSWORD, demo_load
from koreplan.cases.demo import SEED as DEMO_SEED
from koreplan.cases.models import Case
from koreplan.generate import national
from koreplan.generate.models import GeneratedSet


class Command(BaseCommand):
    help = (
        "Generate synthetic data. --scale demo: the demo (about 300 cases made through the services). "
        "--scale national: about 25,000 open and 250,000 closed cases with their tasks, staff, hand-overs, "
        "journal, audit log and partner records, bulk-written in one transaction (minutes on PostgreSQL). "
        "Refuses a database that holds cases it did not generate, unless --force. Synthetic staff all have "
        f"the password '{DEMO_PASSWORD}'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=("demo", "national"), required=True)
        parser.add_argument("--seed", type=int, help=f"random seed (default: the demo's, or {national.SEED})")
        parser.add_argument("--open", type=int, default=national.NATIONAL_OPEN, dest="open_cases",
                            help="national: open cases (default: %(default)s)")
        parser.add_argument("--closed", type=int, default=national.NATIONAL_CLOSED, dest="closed_cases",
                            help="national: closed cases (default: %(default)s)")
        parser.add_argument("--cases", type=int, default=None,
                            help="demo: how many cases the demo makes (default: the demo's 300)")
        parser.add_argument("--batch-size", type=int, default=national.CHUNK, help="rows per write (default: %(default)s)")
        parser.add_argument("--force", action="store_true", help="add to a database that holds other cases")

    def handle(self, *args, scale: str, seed: int | None, force: bool, **options) -> None:
        foreign = national.foreign_cases()
        if foreign and not force:
            raise CommandError(
                f"This database holds {foreign:,} cases that were not generated. Generated data is synthetic and "
                "mixes with them; use an empty database, or --force to add to it anyway."
            )
        if scale == "demo":
            self._demo(DEMO_SEED if seed is None else seed, options["cases"])
        else:
            self._national(national.SEED if seed is None else seed, options)

    def _demo(self, seed: int, cases: int | None) -> None:
        started_at, started = timezone.now(), time.monotonic()
        with transaction.atomic():
            before = Case.objects.aggregate(last=Max("pk"))["last"] or 0
            result = demo_load(seed=seed, **({"cases": cases} if cases else {}))
            if not result.created:
                self.stdout.write("The demo is already loaded (its logins exist); nothing changed.")
                return
            span = Case.objects.filter(pk__gt=before).aggregate(first=Min("pk"), last=Max("pk"))
            GeneratedSet.objects.create(
                scale=GeneratedSet.Scale.DEMO, seed=seed, open_cases=result.open_cases,
                closed_cases=result.cases - result.open_cases, first_case_id=span["first"], last_case_id=span["last"],
                started_at=started_at, finished_at=timezone.now(), seconds=time.monotonic() - started,
                summary={"staff": result.staff, "tasks_done": result.tasks_done, "stages": result.stages},
            )
        self.stdout.write(self.style.SUCCESS(
            f"Demo generated in {time.monotonic() - started:.1f} s: {result.staff} staff, {result.cases} cases "
            f"({result.open_cases} open), {result.tasks_done} tasks done, {result.tasks_overdue} overdue."
        ))

    def _national(self, seed: int, options) -> None:
        if options["open_cases"] < 0 or options["closed_cases"] < 0:
            raise CommandError("--open and --closed must be zero or more.")
        existing = national.national_set()
        if existing is not None:
            self.stdout.write(self.style.WARNING(
                f"Note: this database already holds a national set ({existing}); another is added."
            ))

        def out(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        result = national.National(
            seed=seed, open_cases=options["open_cases"], closed_cases=options["closed_cases"],
            batch_size=options["batch_size"], out=out,
        ).run()
        self.stdout.write("")
        self.stdout.write("Rows written:")
        width = max(len(name) for name in result.rows)
        for name, count in result.rows.items():
            self.stdout.write(f"  {name.ljust(width)}  {count:>12,}")
        self.stdout.write("Cases by stage: " + ", ".join(f"{k} {v:,}" for k, v in result.stages.items()))
        self.stdout.write(
            f"Tasks done {result.tasks_done:,}; open past their date in open cases {result.tasks_overdue:,}. "
            f"Staff created {result.staff_created:,}; the busy social worker ({national.BUSY_USERNAME}, "
            f"{national.BUSY_ORGANISATION}) holds {result.busy_open_cases} open cases."
        )
        if result.partners:
            self.stdout.write("Partner records: " + ", ".join(result.partners))
        if result.partners_missing:
            self.stdout.write("Not generated (app or model missing): " + ", ".join(result.partners_missing))
        self.stdout.write(self.style.SUCCESS(
            f"National data generated in {result.seconds:.1f} s "
            f"({result.open_cases:,} open and {result.closed_cases:,} closed cases)."
        ))
