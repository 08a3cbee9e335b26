"""Every read for the release. Access is always the case's: callers first get the case with
``koreplan.cases.selectors.case_get`` (404 unless the user's organisation has a part in
it), and only then what hangs on it. A meeting, agreement or outcome of another case is
404 as well."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from koreplan.accounts.models import Role, User
from koreplan.cases.models import Case, Handover, Task
from koreplan.domain import release as domain
from koreplan.organisations.models import MunicipalDepartment, Organisation
from koreplan.release.models import (
    AgendaItem,
    Agreement,
    KifInvolvement,
    Meeting,
    Participant,
    Party,
    ReadinessItem,
    ReleaseOutcome,
)

#: The release's tasks on the Køreplan, in the order of the steps.
RELEASE_OBLIGATIONS = (
    "release_meeting",
    "involve_kif",
    "municipal_appointments_on_release_day",
    "supervision_first_meeting",
    "follow_up_meeting_after_release",
)

#: Who is normally responsible for an item, and which municipal department: a suggestion
#: the caseworker can change (GL Bilag 1 step 8; domain.md "Who uses the system").
DEFAULT_RESPONSIBLE: dict[str, tuple[str, str | None]] = {
    ReadinessItem.Item.HOUSING: ("municipality", MunicipalDepartment.Kind.SOCIALCENTER),
    ReadinessItem.Item.INCOME: ("municipality", MunicipalDepartment.Kind.YDELSE),
    ReadinessItem.Item.EMPLOYMENT_EDUCATION: ("municipality", MunicipalDepartment.Kind.JOBCENTER),
    ReadinessItem.Item.TREATMENT: ("municipality", MunicipalDepartment.Kind.MISBRUGSCENTER),
    ReadinessItem.Item.HEALTH: ("holder", None),
    ReadinessItem.Item.ID_BANK_DIGITAL: ("holder", None),
    ReadinessItem.Item.NETWORK: ("holder", None),
}


def days_to_release(case: Case, today: date | None = None) -> int | None:
    if case.expected_release_on is None:
        return None
    return (case.expected_release_on - (today or timezone.localdate())).days


def _prefetched(case: Case, name: str):
    """The related rows from a prefetch if the caller made one (a worklist), else a query."""
    cache = getattr(case, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(getattr(case, name).all())


def case_release_signal(*, case: Case, today: date | None = None) -> domain.Signal:
    """The case's readiness signal; for a list of cases, :func:`release_signals`."""
    statuses = {row.item: row.status for row in _prefetched(case, "readiness_items")}
    at_release = next(
        (o for o in _prefetched(case, "release_outcomes") if o.moment == ReleaseOutcome.Moment.AT_RELEASE), None
    )
    return release_signal_of(case, statuses, at_release.released_to_street if at_release else None, today)


def release_signal_of(
    case: Case, statuses: dict[str, str], released_to_street: bool | None, today: date | None = None
) -> domain.Signal:
    """The signal from what the caller has read: each readiness item's status by item, and
    whether the outcome recorded at release, if any, was the street."""
    return domain.readiness_signal(
        {domain.ReadinessItem(item): domain.ReadinessStatus(status) for item, status in statuses.items()},
        days_to_release(case, today),
        released_to_street=released_to_street,
    )


def release_signals(cases: Iterable[Case], today: date | None = None) -> dict[int, domain.Signal]:
    """Each case's readiness signal, for a list of cases (a worklist): one query of the
    columns the signal reads, whatever the number of cases."""
    cases = list(cases)
    statuses, at_release = readiness_and_outcomes_at_release([case.pk for case in cases])
    return {
        case.pk: release_signal_of(
            case, statuses[case.pk], at_release[case.pk].released_to_street if case.pk in at_release else None, today
        )
        for case in cases
    }


def readiness_and_outcomes_at_release(
    case_ids: list[int],
) -> tuple[dict[int, dict[str, str]], dict[int, ReleaseOutcome]]:
    """For each case, its readiness items' statuses by item and, if recorded, its outcome at
    release (with only the housing, the income and whether it was the street read).

    One query, in SQL: the ORM would take two, and spend longer writing them than the
    database takes to answer them (every worklist and case page reads these).
    """
    statuses: dict[int, dict[str, str]] = {case_id: {} for case_id in case_ids}
    at_release: dict[int, ReleaseOutcome] = {}
    if not case_ids:
        return statuses, at_release
    placeholders = ", ".join(["%s"] * len(case_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            _READINESS_AND_OUTCOMES_SQL.format(cases=placeholders),
            [*case_ids, *case_ids, ReleaseOutcome.Moment.AT_RELEASE],
        )
        for case_id, item, status, housing, income, street in cursor.fetchall():
            if item is not None:
                statuses[case_id][item] = status
            else:  # SQLite answers booleans as 0 and 1
                at_release[case_id] = ReleaseOutcome(
                    case_id=case_id, moment=ReleaseOutcome.Moment.AT_RELEASE, housing=housing,
                    income_from_day_one=bool(income), released_to_street=bool(street),
                )
    return statuses, at_release


#: The rows of ``readiness_and_outcomes_at_release``: an outcome's row has no item.
_READINESS_AND_OUTCOMES_SQL = (
    f"SELECT case_id, item, status, NULL, NULL, NULL FROM {ReadinessItem._meta.db_table} "
    "WHERE case_id IN ({cases}) "
    "UNION ALL "
    f"SELECT case_id, NULL, NULL, housing, income_from_day_one, released_to_street FROM {ReleaseOutcome._meta.db_table} "
    "WHERE case_id IN ({cases}) AND moment = %s"
)


# -- the readiness list ---------------------------------------------------------------------------


@dataclass
class ReadinessRow:
    item: str
    label: str
    row: ReadinessItem | None
    status: str
    responsible_organisation: Organisation | None
    department: MunicipalDepartment | None
    checks: list[tuple[str, str, bool]]
    note: str = ""

    @property
    def missing(self) -> bool:
        return self.status in (ReadinessItem.Status.NOT_STARTED, ReadinessItem.Status.IN_PROGRESS)

    @property
    def essential(self) -> bool:
        return domain.ReadinessItem(self.item) in domain.ESSENTIAL

    @property
    def status_label(self) -> str:
        return ReadinessItem.Status(self.status).label


def default_responsible(case: Case, item: str) -> tuple[Organisation | None, MunicipalDepartment | None]:
    who, department_kind = DEFAULT_RESPONSIBLE[item]
    if who == "holder":
        return case.holding_organisation, None
    municipality = case.client.acting_municipality
    department = None
    if department_kind:
        department = next((d for d in _departments(municipality) if d.kind == department_kind), None)
    return municipality, department


def _departments(municipality: Organisation) -> list[MunicipalDepartment]:
    cache = getattr(municipality, "_release_departments", None)
    if cache is None:
        cache = list(MunicipalDepartment.objects.filter(municipality=municipality).order_by("kind"))
        municipality._release_departments = cache
    return cache


def readiness_rows(*, case: Case, language_da: bool = True) -> list[ReadinessRow]:
    """All seven items in the list's order; an item nobody has set is not started, with the
    suggested responsible organisation."""
    stored = {row.item: row for row in case.readiness_items.select_related("responsible_organisation", "department")}
    rows = []
    for value, label in ReadinessItem.Item.choices:
        row = stored.get(value)
        names = domain.ITEM_CHECKS[domain.ReadinessItem(value)]
        if row is None:
            organisation, department = default_responsible(case, value)
            status, note, done = ReadinessItem.Status.NOT_STARTED, "", {}
        else:
            organisation, department = row.responsible_organisation, row.department
            status, note, done = row.status, row.note, row.checks or {}
        checks = [(name, domain.CHECK_LABELS[name][0 if language_da else 1], bool(done.get(name))) for name in names]
        rows.append(ReadinessRow(value, str(label), row, status, organisation, department, checks, note))
    return rows


# -- meetings -------------------------------------------------------------------------------------


def _meetings(case: Case) -> QuerySet[Meeting]:
    return case.release_meetings.select_related(
        "municipality", "department", "plan_holder_after", "task", "created_by", "updated_by"
    ).prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("organisation", "department")),
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.prefetch_related(
                Prefetch("agreements", queryset=Agreement.objects.select_related("created_by"))
            ),
        ),
    )


def meeting_get(*, case: Case, meeting_id: int) -> Meeting:
    try:
        meeting = _meetings(case).get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No such meeting") from None
    meeting.case = case
    return meeting


def agreement_get(*, meeting: Meeting, agreement_id: int) -> Agreement:
    try:
        agreement = Agreement.objects.select_related("item").get(pk=agreement_id, item__meeting=meeting)
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such agreement") from None
    agreement.item.meeting = meeting
    return agreement


def agenda_item_get(*, meeting: Meeting, item_id: int) -> AgendaItem:
    try:
        item = meeting.agenda_items.get(pk=item_id)
    except (AgendaItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such agenda item") from None
    item.meeting = meeting
    return item


def default_participants(*, case: Case, kind: str, actor: User) -> list[dict]:
    """Who is normally invited (GL Bilag 1 step 8; GL p. 47: the client, a social worker
    from the prison, someone from KIF, a caseworker from the municipality and perhaps the
    addiction centre), as initial rows for the form."""
    municipality = case.client.acting_municipality
    entrance = getattr(municipality, "entrance", None)  # RelatedObjectDoesNotExist is an AttributeError
    rows = [{"party": Party.CLIENT, "name": str(case.client)}]
    holder_person = case.acting_responsible or (actor if actor.organisation_id == case.holding_organisation_id else None)
    if kind != Meeting.Kind.RELEASE_DAY and holder_person is not None:
        rows.append({
            "party": Party.KIF if case.holding_organisation.kind == Organisation.Kind.KIF else Party.INSTITUTION,
            "name": str(holder_person), "role": str(Role(holder_person.role).label) if holder_person.role else "",
            "email": holder_person.email,
        })
    if kind != Meeting.Kind.RELEASE_DAY and case.kif_id and case.holding_organisation_id != case.kif_id:
        officer = case.kif_officer
        rows.append({
            "party": Party.KIF, "name": str(officer) if officer else str(case.kif),
            "role": str(case.kif) if officer else "", "email": officer.email if officer else case.kif.email,
        })
    rows.append({
        "party": Party.MUNICIPALITY,
        "name": (entrance.contact_person if entrance and entrance.contact_person else ""),
        "role": str(municipality),
        "department": entrance.department_id if entrance else None,
        "email": entrance.secure_email if entrance else municipality.email,
    })
    if kind == Meeting.Kind.RELEASE_MEETING:
        addiction = next((d for d in _departments(municipality) if d.kind == MunicipalDepartment.Kind.MISBRUGSCENTER), None)
        rows.append({"party": Party.ADDICTION_CENTRE, "name": "", "department": addiction.pk if addiction else None})
    return rows


# -- the overview ---------------------------------------------------------------------------------


@dataclass
class ReleaseOverview:
    case: Case
    today: date
    signal: domain.Signal
    readiness: list[ReadinessRow]
    release_meeting: Meeting | None
    appointments: list[Meeting]
    follow_up: Meeting | None
    cancelled: list[Meeting]
    outcomes: dict[str, ReleaseOutcome]
    kif_involvement: KifInvolvement | None
    kif_handover: Handover | None
    tasks: dict[str, Task] = field(default_factory=dict)

    @property
    def days_to_release(self) -> int | None:
        return self.signal.days_to_release

    @property
    def readiness_open(self) -> bool:
        """The list is followed from three months before release (and after)."""
        days = self.signal.days_to_release
        return days is not None and days <= domain.READINESS_FROM_DAYS

    @property
    def parole_expected(self) -> bool:
        return self.case.expected_parole_on is not None


def release_overview(*, case: Case, today: date | None = None, language_da: bool = True) -> ReleaseOverview:
    today = today or timezone.localdate()
    meetings = list(_meetings(case))
    for meeting in meetings:
        meeting.case = case
    active = [m for m in meetings if m.status != Meeting.Status.CANCELLED]
    outcomes = {o.moment: o for o in case.release_outcomes.select_related("recorded_by")}
    at_release = outcomes.get(ReleaseOutcome.Moment.AT_RELEASE)
    readiness = readiness_rows(case=case, language_da=language_da)
    statuses = {domain.ReadinessItem(r.item): domain.ReadinessStatus(r.status) for r in readiness}
    signal = domain.readiness_signal(
        statuses, days_to_release(case, today), released_to_street=at_release.released_to_street if at_release else None
    )
    tasks: dict[str, Task] = {}
    for task in case.tasks.filter(obligation_id__in=RELEASE_OBLIGATIONS).select_related(
        "completed_by", "responsible_organisation"
    ).order_by(
        "due_on", "occurrence"
    ):
        # The open one if there is one, else the last done.
        if task.obligation_id not in tasks or tasks[task.obligation_id].completed_on is not None:
            tasks[task.obligation_id] = task
    return ReleaseOverview(
        case=case,
        today=today,
        signal=signal,
        readiness=readiness,
        release_meeting=next((m for m in active if m.kind == Meeting.Kind.RELEASE_MEETING), None),
        appointments=[m for m in active if m.kind == Meeting.Kind.RELEASE_DAY],
        follow_up=next((m for m in active if m.kind == Meeting.Kind.FOLLOW_UP), None),
        cancelled=[m for m in meetings if m.status == Meeting.Status.CANCELLED],
        outcomes=outcomes,
        kif_involvement=case.kif_involvements.select_related("kif", "officer", "created_by").first(),
        kif_handover=case.handovers.filter(kind=Handover.Kind.KIF_AT_PAROLE).select_related(
            "to_organisation", "to_user", "answered_by"
        ).first(),
        tasks=tasks,
    )


# -- choices for the forms -----------------------------------------------------------------------------


def kif_departments() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.KIF).order_by("name")


def kif_officers() -> QuerySet[User]:
    return User.objects.filter(
        organisation__kind=Organisation.Kind.KIF, role=Role.KIF_OFFICER, is_active=True
    ).select_related("organisation").order_by("organisation__name", "first_name", "last_name")


def municipal_departments(*, municipality: Organisation) -> list[MunicipalDepartment]:
    return _departments(municipality)


def responsible_choices(*, case: Case) -> list[Organisation]:
    """The organisations an item can be placed with: those taking part in the release."""
    organisations = [case.holding_organisation]
    if case.kif_id and case.kif not in organisations:
        organisations.append(case.kif)
    municipality = case.client.acting_municipality
    if municipality not in organisations:
        organisations.append(municipality)
    return organisations
