"""What a dashboard is about — a unit and a period — and who may look at which.

A **unit** is the whole country, one organisation (an institution, a KIF department, a
municipality) or a region. In the address bar it is one value, ``enhed``: ``land``,
``org-12`` or ``region-3``.

**Who may see what** (GL Bilag 2: management at every level measures the method):

- the Directorate's staff and administrators: any unit, and the national figures;
- a manager of an institution, a KIF department or a municipality: their own organisation;
- no one else: 403 on every dashboard page.

Asking for a unit you may not see is **403**, and so is asking for one that does not
exist, if you may not see every unit: the answer must not tell a manager whether another
unit exists. Someone who may see every unit is told that a unit that does not exist (or
is not a unit at all) is not one they can choose — an error on the field ``enhed``
(``UnknownUnit``), in the same words.

**What belongs to a unit** depends on what is counted, and each figure says which it uses:

- *obligations* (tasks) belong to the organisation responsible for them — an institution
  is measured on the institution's tasks, a KIF department on KIF's; a municipality's
  figures are those of the clients it is the acting municipality (handlekommune) for;
- *hand-overs* to the organisations that send or receive them;
- *cases* (the Målepunkter population, evaluations) to every organisation that has had a
  part in them (``CaseParticipation``, ended or not), or, for a municipality, to the
  clients' acting municipality;
- a *region* is its municipalities on the date of the fact (the task's due date, the
  request's date, the case's intake), as ``RegionMembership`` records them, so a report on
  2026 still counts Region Sjælland after the 2027 merger.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koreplan.accounts.models import Role, User
from koreplan.cases.models import CaseParticipation
from koreplan.domain.calendar import add_months
from koreplan.organisations.models import Organisation, Region, RegionMembership

NATIONAL = "land"
#: The one answer to a unit that cannot be shown, whether it does not exist or may not be
#: seen: the same words either way, so they reveal nothing.
UNIT_NOT_CHOOSABLE = gettext_lazy("This is not a unit you can choose.")
#: The longest period a dashboard shows at once: the monthly trend stays readable, and the
#: queries stay bounded.
MAX_MONTHS = 60


def db_alias() -> str:
    """The database the dashboards read from: a replica when ``DASHBOARD_DB_ALIAS`` names
    one, else the default. Writes (the audit log, evaluations) always go to the default."""
    return getattr(settings, "DASHBOARD_DB_ALIAS", "default")


class UnitKind(StrEnum):
    NATIONAL = "national"
    INSTITUTION = Organisation.Kind.INSTITUTION.value
    KIF = Organisation.Kind.KIF.value
    MUNICIPALITY = Organisation.Kind.MUNICIPALITY.value
    REGION = "region"


# -- who may look -------------------------------------------------------------------------------


def is_national_viewer(user: User) -> bool:
    """The Directorate and administrators see every unit and the whole country."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    organisation = user.organisation
    return organisation is not None and organisation.kind == Organisation.Kind.DIRECTORATE


def may_see_dashboards(user: User) -> bool:
    """Managers, the Directorate and administrators (decided without a query for anyone
    else, as the menu asks on every page)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    if user.role == Role.MANAGER:
        return user.organisation_id is not None
    return is_national_viewer(user) if user.organisation_id is not None else False


def dashboard_access_check(user: User) -> None:
    if not may_see_dashboards(user):
        raise PermissionDenied(_("The dashboards are for managers, the Directorate and administrators."))


def default_unit(user: User) -> str:
    return NATIONAL if is_national_viewer(user) else f"org-{user.organisation_id}"


# -- the scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Membership:
    municipality_id: int
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class Scope:
    """A unit, a period (both days included) and optionally one case type."""

    unit: str
    kind: UnitKind
    start: date
    end: date
    today: date
    organisation: Organisation | None = None
    region: Region | None = None
    memberships: tuple[Membership, ...] = ()
    case_type: str = ""
    alias: str = field(default_factory=db_alias)

    # -- words -----------------------------------------------------------------------------

    @property
    def label(self) -> str:
        if self.kind is UnitKind.NATIONAL:
            return _("The whole country")
        if self.region is not None:
            return str(self.region)
        return str(self.organisation)

    @property
    def is_national(self) -> bool:
        return self.kind is UnitKind.NATIONAL

    def query(self, **extra: str) -> dict[str, str]:
        """The scope as query parameters, for links to drill-downs and exports."""
        params = {"enhed": self.unit, "fra": self.start.isoformat(), "til": self.end.isoformat()}
        if self.case_type:
            params["sagstype"] = self.case_type
        params.update({k: v for k, v in extra.items() if v})
        return params

    # -- time -------------------------------------------------------------------------------

    @property
    def months(self) -> list[date]:
        """The first day of every month the period touches, in order."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        """The first moment after the period: datetimes are compared with ``<``."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    # -- what belongs to the unit -----------------------------------------------------------

    def _region_q(self, municipality_field: str, date_field: str) -> Q:
        """The region's municipalities on the date in ``date_field`` (a date lookup path)."""
        q = Q(pk__in=[])
        for m in self.memberships:
            member = Q(**{municipality_field: m.municipality_id, f"{date_field}__gte": m.valid_from})
            if m.valid_to is not None:
                member &= Q(**{f"{date_field}__lte": m.valid_to})
            q |= member
        return q

    def unit_q(
        self,
        *,
        own: tuple[str, ...] | None,
        municipality: str,
        region_date: str,
        case_path: str = "case__",
    ) -> Q:
        """What of a model belongs to the unit.

        ``own``: the fields naming the organisation an institution or KIF department is
        measured on (any of them); ``None`` means every case the organisation has had a part
        in. ``municipality``: the path to the municipality a municipality (and a region) is
        measured on. ``region_date``: the date that decides a region's municipalities.
        ``case_path``: the path to the case, for the case-type filter.
        """
        q = Q(**{f"{case_path}case_type": self.case_type}) if self.case_type else Q()
        if self.kind in (UnitKind.INSTITUTION, UnitKind.KIF):
            if own is None:
                took_part = CaseParticipation.objects.filter(organisation_id=self.organisation.pk).values("case_id")
                return q & Q(**{f"{case_path}pk__in": took_part})
            mine = Q(pk__in=[])
            for name in own:
                mine |= Q(**{name: self.organisation.pk})
            return q & mine
        if self.kind is UnitKind.MUNICIPALITY:
            return q & Q(**{municipality: self.organisation.pk})
        if self.kind is UnitKind.REGION:
            return q & self._region_q(municipality, region_date)
        return q

    def task_q(self) -> Q:
        """Tasks of the unit: the organisation responsible, or the client's municipality."""
        return self.unit_q(
            own=("responsible_organisation_id",), municipality="case__client__acting_municipality_id", region_date="due_on"
        )

    def handover_q(self) -> Q:
        """Hand-overs the unit sent or received, or of its municipality's clients."""
        return self.unit_q(
            own=("from_organisation_id", "to_organisation_id"),
            municipality="case__client__acting_municipality_id",
            region_date="requested_at__date",
        )

    def case_q(self, case_path: str = "", region_date: str = "") -> Q:
        """Cases of the unit, from a model ``case_path`` away from the case ("" on Case,
        ``"case__"`` on a model with a case). A region takes its municipalities on the date
        at ``region_date`` (a lookup path on the queried model)."""
        return self.unit_q(
            own=None,
            municipality=f"{case_path}client__acting_municipality_id",
            region_date=region_date,
            case_path=case_path,
        )


# -- from the request ----------------------------------------------------------------------------


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: this month and the eleven before it, to today."""
    return add_months(today.replace(day=1), -11), today


class UnknownUnit(ValueError):
    """A unit asked for by someone who may see every unit, that is not one: an error on the
    field ``enhed``, not a refusal."""

    def __init__(self) -> None:
        super().__init__(str(UNIT_NOT_CHOOSABLE))


def scope_resolve(
    *, user: User, unit: str | None, start: date | None = None, end: date | None = None, case_type: str = ""
) -> Scope:
    """The scope the user asked for. ``PermissionDenied`` for a unit they may not see — and,
    for anyone who may not see every unit, for one that does not exist; ``UnknownUnit`` for
    one that does not exist, asked by someone who may see every unit."""
    dashboard_access_check(user)
    today = timezone.localdate()
    default_start, default_end = default_period(today)
    start, end = start or default_start, end or default_end
    unit = unit or default_unit(user)
    common = {"start": start, "end": end, "today": today, "case_type": case_type}

    if not is_national_viewer(user):
        # Decided before any lookup: another organisation's unit and one that does not
        # exist get the same answer.
        if unit != default_unit(user):
            raise PermissionDenied(UNIT_NOT_CHOOSABLE)
        return _organisation_scope(user.organisation, **common)

    if unit == NATIONAL:
        return Scope(unit=unit, kind=UnitKind.NATIONAL, **common)
    kind, _sep, raw_id = unit.partition("-")
    if kind not in ("org", "region") or not raw_id.isdigit():
        raise UnknownUnit
    if kind == "region":
        region = Region.objects.filter(pk=int(raw_id)).first()
        if region is None:
            raise UnknownUnit
        return _region_scope(region, **common)
    organisation = Organisation.objects.filter(pk=int(raw_id)).first()
    if organisation is None or organisation.kind == Organisation.Kind.DIRECTORATE:
        raise UnknownUnit
    return _organisation_scope(organisation, **common)


def _region_scope(region: Region, *, start: date, end: date, **common) -> Scope:
    memberships = tuple(
        Membership(m.municipality_id, m.valid_from, m.valid_to)
        for m in RegionMembership.objects.filter(region=region).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start), valid_from__lte=end
        )
    )
    return Scope(
        unit=f"region-{region.pk}", kind=UnitKind.REGION, region=region, memberships=memberships, start=start, end=end, **common
    )


def _organisation_scope(organisation: Organisation, **common) -> Scope:
    return Scope(unit=f"org-{organisation.pk}", kind=UnitKind(organisation.kind), organisation=organisation, **common)


def every_unit_scope(*, start: date, end: date, today: date) -> Iterator[Scope]:
    """The scope of every unit someone may open — the whole country, every region, every
    organisation but the Directorate — for the period: the units ``units_for`` offers the
    Directorate, built as ``scope_resolve`` builds them (for the nightly precomputation,
    which has no user; the figures of a scope do not depend on who asks)."""
    common = {"start": start, "end": end, "today": today}
    yield Scope(unit=NATIONAL, kind=UnitKind.NATIONAL, **common)
    for region in Region.objects.order_by("valid_from", "name"):
        yield _region_scope(region, **common)
    for organisation in Organisation.objects.exclude(kind=Organisation.Kind.DIRECTORATE).order_by("kind", "name"):
        yield _organisation_scope(organisation, **common)


def units_for(user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The units the user may choose, grouped for a <select>: [(group, [(value, label)])]."""
    if not is_national_viewer(user):
        organisation = user.organisation
        return [("", [(f"org-{organisation.pk}", str(organisation))])]
    groups: dict[str, list[tuple[str, str]]] = {
        Organisation.Kind.INSTITUTION: [],
        Organisation.Kind.KIF: [],
        Organisation.Kind.MUNICIPALITY: [],
    }
    for pk, kind, name in (
        Organisation.objects.exclude(kind=Organisation.Kind.DIRECTORATE).order_by("name").values_list("pk", "kind", "name")
    ):
        groups[kind].append((f"org-{pk}", name))
    regions = []
    for region in Region.objects.order_by("valid_from", "name"):
        label = region.name
        if region.valid_to or region.valid_from > timezone.localdate():
            label = f"{region.name} ({region.valid_from:%Y}–{region.valid_to:%Y})" if region.valid_to else f"{region.name} ({_('from')} {region.valid_from:%Y})"
        regions.append((f"region-{region.pk}", label))
    return [
        ("", [(NATIONAL, _("The whole country"))]),
        (_("Regions"), regions),
        (_("Institutions"), groups[Organisation.Kind.INSTITUTION]),
        (_("Probation departments (KIF)"), groups[Organisation.Kind.KIF]),
        (_("Municipalities"), groups[Organisation.Kind.MUNICIPALITY]),
    ]
