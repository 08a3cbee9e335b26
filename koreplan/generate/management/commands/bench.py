"""``koreplan bench``: the web benches on the national data (see ``koreplan.bench.web``)."""

from django.core.management.base import BaseCommand, CommandError

from koreplan.bench import web


class Command(BaseCommand):
    help = (
        "Measure the busy social worker's worklist and case page, the national dashboard and the nightly "
        "recalculation on the national data, each next to a baseline measured in the same run. Generates the "
        "national data first on an empty database; refuses a database with other cases."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="a tiny data set and three runs (for the tests)")
        parser.add_argument("--runs", type=int, help="timed runs per page (default: 15; --quick: 3)")
        parser.add_argument(
            "--pages-only", action="store_true", help="measure the pages only, not the recalculation (minutes)"
        )

    def handle(self, *args, quick: bool, runs: int | None, pages_only: bool, **options) -> None:
        def out(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            web.run(quick=quick, runs=runs, pages_only=pages_only, out=out)
        except web.BenchError as error:
            raise CommandError(str(error)) from None
