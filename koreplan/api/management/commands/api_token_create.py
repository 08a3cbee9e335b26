from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from koreplan.accounts.models import User
from koreplan.api.services import api_token_create


class Command(BaseCommand):
    help = "Make an API token for a user and print it. It is shown this once: only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the user the token acts as")
        parser.add_argument("name", help="what the token is for, e.g. the system that uses it")

    def handle(self, *args, username: str, name: str, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        try:
            token, plaintext = api_token_create(user=user, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Token {token.pk} ({token.name!r}) for {user.username}. Store it now: it cannot be shown again."
        )
        self.stdout.write(plaintext)
