"""`manage.py demo`: load the demo that `make run` shows, or print its logins if it is there."""

from django.core.management.base import BaseCommand

from koreplan.cases.demo import DEMO_PASSWORD, SEED, URL, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo: reference data, about 40 staff and about 300 cases made through the "
        "services, with action plans, consents, requests to municipalities and the release. "
        "Does nothing but print the logins if the demo users exist. Demo data only: every demo "
        "user's password is 'demo'; leder and admin also give one of the printed one-time codes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=SEED, help="Random seed (default: %(default)s).")
        parser.add_argument("--url", default=URL, help="Where the server will answer, for the message (default: %(default)s).")

    def handle(self, *args, seed: int, url: str, **options) -> None:
        result = demo_load(seed=seed)
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded in {result.seconds:.1f} s: {result.staff} staff, {result.cases} cases "
                    f"({result.open_cases} open), {result.tasks_done} tasks done, {result.tasks_overdue} "
                    f"overdue, {result.handovers_pending} hand-overs waiting, "
                    f"{result.journal_entries} journal entries."
                )
            )
            story = result.story
            if story:
                self.stdout.write(
                    f"  {story['plans']} action plans ({story['plans_finished']} finished, "
                    f"{story['plans_finished_late']} late; {story['plans_approved']} approved, "
                    f"{story['plans_awaiting_approval']} awaiting approval), {story['evaluations']} evaluations; "
                    f"{story['consents_given']} consents given, {story['consents_refused']} refused; "
                    f"{story['requests']} notices and requests to municipalities "
                    f"({story['requests_unread_at_kommune']} unread in Guldborgsund's inbox); "
                    f"{story['release_meetings']} release meetings held, KIF involved in {story['kif_involved']} cases, "
                    f"{story['ready']} ready for release and {story['at_risk']} at risk; "
                    f"{story['outcomes']} outcomes at release ({story['released_to_street']} to the street)."
                )
            if options["verbosity"] > 1:
                for stage, count in result.stages.items():
                    self.stdout.write(f"  {stage}: {count}")
        else:
            self.stdout.write("The demo is already loaded; nothing changed.")
        self.stdout.write("")
        self.stdout.write(f"Open {url} and log in with password '{DEMO_PASSWORD}' as:")
        width = max((len(login.username) for login in result.logins), default=0)
        for login in result.logins:
            self.stdout.write(
                f"  {login.username.ljust(width)}  {login.name}, {login.role.lower()}, {login.organisation}"
            )
            if login.backup_codes:
                self.stdout.write(
                    f"  {''.ljust(width)}  one-time codes (each works once): {' '.join(login.backup_codes)}"
                )
