"""Who hears about a request, through ``koreplan.notifications.services.notify``.

Called inside the service's transaction (a transactional outbox): a change rolled back is
never announced. Subjects go by e-mail too, so they never name the client; the body is
read in the application behind the login. Each event has a dedupe key, so it is told once.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from koreplan.accounts.models import Role, User
from koreplan.coordination.models import MunicipalRequest, RequestReminder
from koreplan.notifications.models import Kind as NotificationKind
from koreplan.notifications.services import notify


def entrance_staff(municipality_id: int) -> QuerySet[User]:
    return User.objects.filter(organisation_id=municipality_id, role=Role.MUNICIPAL_ENTRANCE, is_active=True)


def _senders(request: MunicipalRequest) -> list[User]:
    """The writer of the request and whoever acts for the plan now."""
    return [u for u in (request.created_by, request.case.acting_responsible) if u is not None]


def _notify_new_request(request: MunicipalRequest) -> None:
    """A new notice or request is at the municipality's entrance."""
    notify(
        recipients=entrance_staff(request.municipality_id),
        kind=NotificationKind.REQUEST_RECEIVED,
        subject=format_lazy(gettext_lazy("{kind} from {sender}"), kind=request.get_kind_display(), sender=request.sending_organisation),
        body=format_lazy(
            gettext_lazy("{sender} has sent your municipality a {kind} (step {step}). Open it in the inbox and route it to a department and a caseworker, or return it."),
            sender=request.sending_organisation, kind=request.get_kind_display(), step=request.step,
        ),
        url=request.inbox_url(),
        dedupe_key=f"municipal_request:{request.pk}:sent",
    )


def _notify_request_answered(request: MunicipalRequest) -> None:
    """The municipality accepted (has hold) or returned the request: tell the sender."""
    if request.status == MunicipalRequest.Status.ACCEPTED:
        kind = NotificationKind.REQUEST_ACCEPTED
        subject = format_lazy(gettext_lazy("{municipality} has taken hold of your request"), municipality=request.municipality)
        body = format_lazy(
            gettext_lazy("{municipality} routed your {kind} about {client} to {department}, caseworker {caseworker}."),
            municipality=request.municipality, kind=request.get_kind_display(), client=request.case.client,
            department=request.routed_department, caseworker=request.routed_caseworker,
        )
    else:
        kind = NotificationKind.REQUEST_RETURNED
        subject = format_lazy(gettext_lazy("{municipality} returned your request"), municipality=request.municipality)
        body = format_lazy(
            gettext_lazy("{municipality} returned your {kind} about {client}: {reason}"),
            municipality=request.municipality, kind=request.get_kind_display(), client=request.case.client,
            reason=request.return_reason,
        )
    notify(
        recipients=_senders(request), kind=kind, subject=subject, body=body, url=request.sender_url(),
        case=request.case, dedupe_key=f"municipal_request:{request.pk}:{request.status}",
    )
    if request.status == MunicipalRequest.Status.ACCEPTED and request.routed_caseworker_id:
        notify(
            recipients=[request.routed_caseworker],
            kind=NotificationKind.REQUEST_RECEIVED,
            subject=format_lazy(gettext_lazy("{kind} routed to you"), kind=request.get_kind_display()),
            body=format_lazy(gettext_lazy("The entrance has routed a {kind} from {sender} to you."),
                             kind=request.get_kind_display(), sender=request.sending_organisation),
            url=request.inbox_url(),
            dedupe_key=f"municipal_request:{request.pk}:routed",
        )


def _notify_unanswered(request: MunicipalRequest, kind: str) -> None:
    """A reminder goes to the entrance; an escalation to the entrance, its managers and the sender."""
    due_on = request.reminders.filter(kind=kind).values_list("due_on", flat=True).first()
    if kind == RequestReminder.Kind.REMINDER:
        notify(
            recipients=entrance_staff(request.municipality_id),
            kind=NotificationKind.REMINDER,
            subject=format_lazy(gettext_lazy("Reminder: a {kind} from {sender} is unanswered"),
                                kind=request.get_kind_display(), sender=request.sending_organisation),
            body=format_lazy(gettext_lazy("It was sent on {sent}. Route it to a department and a caseworker, or return it."),
                             sent=timezone.localdate(request.sent_at)),
            url=request.inbox_url(),
            dedupe_key=f"municipal_request:{request.pk}:reminder",
        )
        return
    managers = User.objects.filter(organisation_id=request.municipality_id, role=Role.MANAGER, is_active=True)
    notify(
        recipients=[*entrance_staff(request.municipality_id), *managers],
        kind=NotificationKind.ESCALATION,
        subject=format_lazy(gettext_lazy("Escalated: a {kind} from {sender} is still unanswered"),
                            kind=request.get_kind_display(), sender=request.sending_organisation),
        body=format_lazy(gettext_lazy("It was sent on {sent} and reminded; no one has taken hold of it yet."),
                         sent=timezone.localdate(request.sent_at)),
        url=request.inbox_url(),
        dedupe_key=f"municipal_request:{request.pk}:escalation",
    )
    notify(
        recipients=_senders(request),
        kind=NotificationKind.ESCALATION,
        subject=format_lazy(gettext_lazy("{municipality} has not answered your request"), municipality=request.municipality),
        body=format_lazy(
            gettext_lazy("Your {kind} about {client}, sent on {sent}, is still unanswered (due {due}). Call the municipality's entrance."),
            kind=request.get_kind_display(), client=request.case.client, sent=timezone.localdate(request.sent_at), due=due_on,
        ),
        url=request.sender_url(),
        case=request.case,
        dedupe_key=f"municipal_request:{request.pk}:escalation:sender",
    )
