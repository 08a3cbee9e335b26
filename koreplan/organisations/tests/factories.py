import factory

from koreplan.organisations.models import MunicipalDepartment, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["kind", "name"]


class InstitutionFactory(OrganisationFactory):
    kind = Organisation.Kind.INSTITUTION
    institution_type = Organisation.InstitutionType.CLOSED_PRISON
    name = factory.Sequence(lambda n: f"Fængsel {n}")


class KifFactory(OrganisationFactory):
    kind = Organisation.Kind.KIF
    name = factory.Sequence(lambda n: f"KiF {n}")


class DirectorateFactory(OrganisationFactory):
    kind = Organisation.Kind.DIRECTORATE
    name = "Direktoratet for Kriminalforsorgen"


class MunicipalityFactory(OrganisationFactory):
    kind = Organisation.Kind.MUNICIPALITY
    # Real codes run 101–860; these stay clear of them.
    code = factory.Sequence(lambda n: f"{900 + n % 100}")
    name = factory.Sequence(lambda n: f"Kommune {n}")


class MunicipalDepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalDepartment
        django_get_or_create = ["municipality", "kind"]

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = MunicipalDepartment.Kind.YDELSE
    name = factory.LazyAttribute(lambda o: MunicipalDepartment.Kind(o.kind).label)
