from django.core.management.base import BaseCommand

from koreplan.organisations.services import reference_data_load


class Command(BaseCommand):
    help = (
        "Load regions, municipalities, institutions, KIF departments and the Directorate "
        "from koreplan/organisations/data/. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        result = reference_data_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.regions} regions, {result.municipalities} municipalities "
                f"({result.municipal_departments} departments, {result.entrances_created} new "
                f"entrances), {result.institutions} institutions and "
                f"{result.kif_departments} KIF departments."
            )
        )
