import factory

from koreplan.accounts.models import Role, User
from koreplan.organisations.tests.factories import InstitutionFactory

PASSWORD = "korrekt-hest-batteri-haefteklamme"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"bruger{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruger {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    organisation = factory.SubFactory(InstitutionFactory)
    role = Role.SOCIAL_WORKER
    password = factory.django.Password(PASSWORD)
