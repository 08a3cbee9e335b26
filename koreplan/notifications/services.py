"""Every write to notifications, the outbox and the preferences.

`notify` is what other apps call when something happens that someone should hear about.
It writes in the caller's transaction: the in-app notification and the outbox message
are saved with the event itself or not at all, so a change that is rolled back is never
announced (a transactional outbox; the task worker sends what was committed — see
`delivery.py` for how each message goes out exactly once).

E-mail is not a safe channel for what Køreplan holds (criminal-offence data, GDPR Art. 10),
so an e-mail carries only the notification's subject and a link: the body, which may name
the client, is read in the application behind the login. Callers keep the subject free of
anything that identifies a client.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from koreplan.audit.services import audit_record
from koreplan.notifications.models import (
    Kind,
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from koreplan.notifications.selectors import email_preferences, email_wanted_by

if TYPE_CHECKING:
    from koreplan.accounts.models import User
    from koreplan.cases.models import Case

#: What the digest counts as due soon.
DIGEST_HORIZON_DAYS = 14
_SUBJECT_MAX = Notification._meta.get_field("subject").max_length
_KEY_MAX = OutboxMessage._meta.get_field("dedupe_key").max_length


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str,
    url: str = "",
    case: Case | None = None,
    dedupe_key: str = "",
) -> list[Notification]:
    """Tell each recipient in the application, and by e-mail where their preferences want
    `kind` by e-mail. Call it inside the transaction that makes the change.

    - `subject` is shown in the list and is the e-mail's subject: it must not identify a
      client ("Ny anmodning om overdragelse", not the client's name). `body` and `url` are
      shown in the application only; `url` is a path inside Køreplan, and the reader's
      access is checked when it is followed.
    - `subject` and `body` may be lazy translations (`gettext_lazy`, `format_lazy`); they
      are rendered in the installation's language (Danish), whoever's request this is.
    - `dedupe_key` names the event (``handover:17:requested``, ``digest:5:2026-03-01``). A
      recipient is told of an event once, however often it is reported: the key is unique
      per recipient among the notifications and, as ``<key>#<user id>``, unique in the
      outbox. Without a key, every call is an event of its own.

    Returns the notifications created: one per distinct recipient not already told.
    """
    kind = Kind(kind)
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = str(subject).strip()[:_SUBJECT_MAX], str(body).strip()
    if len(dedupe_key) > _KEY_MAX - 21:  # room for "#<user id>"
        raise ValueError(f"The dedupe key is longer than {_KEY_MAX - 21} characters: {dedupe_key!r}")
    users = list({user.pk: user for user in recipients if user is not None}.values())
    wants_email = email_wanted_by(users=users, kind=kind)
    created: list[Notification] = []
    for user in users:
        notification = _notification_add(
            user=user, kind=kind, subject=subject, body=body, url=url, case=case, dedupe_key=dedupe_key
        )
        if notification is None:
            continue  # told of this event already
        created.append(notification)
        if user.is_active and user.email and wants_email[user.pk]:
            _outbox_add(
                notification=notification,
                dedupe_key=f"{dedupe_key}#{user.pk}" if dedupe_key else f"notification:{notification.pk}",
            )
    return created


def _savepoint_create(model, *, unique: dict, **fields):
    """Create a row unless its unique key (`unique`) is taken. The savepoint keeps the
    caller's transaction usable after a refusal; the exists() first spares it in the
    usual case (and a PostgreSQL server's log the error)."""
    if model.objects.filter(**unique).exists():
        return None
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None  # a concurrent transaction reported the same event first


def _notification_add(*, user, kind, subject, body, url, case, dedupe_key) -> Notification | None:
    fields = {
        "recipient": user,
        "kind": kind,
        "subject": subject,
        "body": body,
        "url": url,
        "case_id": case.pk if case is not None else None,
        "dedupe_key": dedupe_key,
    }
    if not dedupe_key:
        return Notification.objects.create(**fields)
    return _savepoint_create(Notification, unique={"recipient": user, "dedupe_key": dedupe_key}, **fields)


def _outbox_add(*, notification: Notification, dedupe_key: str) -> OutboxMessage | None:
    user = notification.recipient
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Køreplan: %(subject)s") % {"subject": notification.subject}
        body = render_to_string(
            "notifications/email/notification.txt",
            {
                "notification": notification,
                "user": user,
                "link": _absolute(reverse("notifications:open", args=[notification.pk])),
                "preferences_link": _absolute(reverse("notifications:preferences")),
            },
        )
    message = _savepoint_create(
        OutboxMessage,
        unique={"dedupe_key": dedupe_key},
        recipient=user,
        to_address=user.email,
        subject=subject[:_SUBJECT_MAX],
        body=body,
        kind=notification.kind,
        dedupe_key=dedupe_key,
        next_attempt_at=timezone.now(),
    )
    if message is not None:
        # Wake a worker once the event is committed, rather than at the next sweep.
        from koreplan.notifications.tasks import deliver_outbox_soon

        transaction.on_commit(deliver_outbox_soon, robust=True)
    return message


def _absolute(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


# -- the reader's own actions ---------------------------------------------------------------


def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (the view fetched it through the
    selector, so it is theirs). Reading your own notices is not audited: it changes
    nothing about any case and reveals nothing the notice did not."""
    if notification.recipient_id != user.pk:
        raise ValueError("Not the user's notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, user: User) -> int:
    """Mark all of the user's notifications read; returns how many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_preferences_set(
    *, user: User, email_kinds: Iterable[str], request: HttpRequest | None = None
) -> dict[str, bool]:
    """Save which kinds the user wants by e-mail (every other kind: in the application
    only). Each kind's choice is stored, so that a later change of the defaults does not
    change what the user chose. Returns the preferences as saved."""
    wanted = {Kind(kind) for kind in email_kinds}
    before = email_preferences(user=user)
    with transaction.atomic():
        for kind in Kind:
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": kind in wanted})
        after = email_preferences(user=user)
        changed = {kind: after[kind] for kind in after if after[kind] != before[kind]}
        if changed:
            audit_record(
                action="koreplan.notification_preferences.changed",
                actor=user,
                request=request,
                data={"email": changed},
            )
    return after


def outbox_retry(*, actor: User, message: OutboxMessage, request: HttpRequest | None = None) -> OutboxMessage:
    """Send a failed message again from scratch (the admin's "retry" action)."""
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.FAILED).update(
            status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if updated:
            audit_record(action="koreplan.outbox_message.retried", actor=actor, request=request, obj=message)
            from koreplan.notifications.tasks import deliver_outbox_soon

            transaction.on_commit(deliver_outbox_soon, robust=True)
    message.refresh_from_db()
    return message


# -- the daily digest -----------------------------------------------------------------------


def digest_send(*, user: User, today: date | None = None) -> Notification | None:
    """The user's digest for `today`: their tasks overdue and due within
    DIGEST_HORIZON_DAYS, from the same worklist as Mine opgaver. None if there is nothing
    to tell, or they have had today's digest already (its key is `digest:<user>:<date>`)."""
    from koreplan.cases.selectors import worklist

    today = today or timezone.localdate()
    tasks = worklist(user=user, today=today, horizon_days=DIGEST_HORIZON_DAYS)
    overdue, soon = tasks.overdue, tasks.this_week + tasks.later
    if not overdue and not soon:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        # Counts only in the subject: it is what the e-mail shows.
        subject = _("Your tasks: %(overdue)s, %(soon)s") % {
            "overdue": ngettext("%(count)d overdue", "%(count)d overdue", len(overdue)) % {"count": len(overdue)},
            "soon": ngettext(
                "%(count)d due within %(days)d days", "%(count)d due within %(days)d days", len(soon)
            ) % {"count": len(soon), "days": DIGEST_HORIZON_DAYS},
        }
        body = render_to_string(
            "notifications/digest.txt",
            {"overdue": overdue, "soon": soon, "today": today, "days": DIGEST_HORIZON_DAYS},
        ).strip()
    with transaction.atomic():
        sent = notify(
            recipients=[user],
            kind=Kind.DIGEST,
            subject=subject,
            body=body,
            url=reverse("cases:worklist"),
            dedupe_key=f"digest:{user.pk}:{today.isoformat()}",
        )
    return sent[0] if sent else None


def digests_send(*, today: date | None = None) -> int:
    """Send today's digest to everyone who has tasks due soon or overdue; returns how
    many were sent. Idempotent: a second run the same day sends nothing. Each user in a
    transaction of their own, so one user's problem does not hold back the others."""
    from koreplan.accounts.models import User
    from koreplan.cases.models import Case, Task

    today = today or timezone.localdate()
    horizon = today + timedelta(days=DIGEST_HORIZON_DAYS)
    # Everyone who may have a task in the worklist: a superset of the people
    # `cases.selectors.my_tasks_q` finds tasks for, read in one query.
    open_tasks = Task.objects.filter(
        completed_on__isnull=True, case__status=Case.Status.OPEN, due_on__lte=horizon
    )
    people = set()
    for column in ("assignee", "case__plan_responsible", "case__substitute", "case__kif_officer"):
        people |= set(open_tasks.filter(**{f"{column}__isnull": False}).values_list(column, flat=True).distinct())
    count = 0
    for user in User.objects.filter(Q(pk__in=people), is_active=True).order_by("pk").iterator():
        if digest_send(user=user, today=today) is not None:
            count += 1
    return count
