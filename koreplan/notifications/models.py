"""Notifications: what a user reads in the application, and the outbox of e-mail to send.

The outbox is filled in the same transaction as the event it reports (a transactional
outbox), and emptied by the task worker (`deliver_outbox`); see `delivery.py` for how each
message is sent exactly once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    REQUEST_RECEIVED = "request_received", _("A new request at the entrance")
    REQUEST_ACCEPTED = "request_accepted", _("A request accepted")
    REQUEST_RETURNED = "request_returned", _("A request returned")
    HANDOVER_REQUESTED = "handover_requested", _("A hand-over requested")
    HANDOVER_ACCEPTED = "handover_accepted", _("A hand-over accepted")
    HANDOVER_RETURNED = "handover_returned", _("A hand-over returned")
    DIGEST = "digest", _("Daily digest of tasks due soon and overdue")
    REMINDER = "reminder", _("Reminder of an unanswered request")
    ESCALATION = "escalation", _("Escalation of an unanswered request")


# The kinds that are e-mailed unless the user has said otherwise: all of them today. A
# kind added later is shown in the application only until it is listed here.
EMAIL_BY_DEFAULT = frozenset(
    {
        Kind.REQUEST_RECEIVED,
        Kind.REQUEST_ACCEPTED,
        Kind.REQUEST_RETURNED,
        Kind.HANDOVER_REQUESTED,
        Kind.HANDOVER_ACCEPTED,
        Kind.HANDOVER_RETURNED,
        Kind.DIGEST,
        Kind.REMINDER,
        Kind.ESCALATION,
    }
)


class Notification(models.Model):
    """One thing a user is told about in the application (Meddelelser)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=pgettext_lazy("notifications", "recipient"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    subject = models.CharField(pgettext_lazy("notifications", "subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(pgettext_lazy("notifications", "link"), max_length=500, blank=True)
    # The case by id, not a foreign key: a notification is a record of what someone was
    # told and stays if the case goes; following its link checks the reader's access.
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(pgettext_lazy("notifications", "read"), null=True, blank=True)
    # The event this reports, as named by the caller of notify(); blank for none. A user
    # is told of an event once.
    dedupe_key = models.CharField(pgettext_lazy("notifications", "dedupe key"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
            models.Index(
                fields=["recipient"], name="notification_recipient_unread", condition=Q(read_at__isnull=True)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_event_once", condition=~Q(dedupe_key="")
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class OutboxMessage(models.Model):
    """One e-mail to send, written in the transaction of the event it reports."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("notifications", "Waiting")
        SENDING = "sending", pgettext_lazy("notifications", "Being sent")
        SENT = "sent", pgettext_lazy("notifications", "Sent")
        FAILED = "failed", pgettext_lazy("notifications", "Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("notifications", "recipient"),
    )
    to_address = models.EmailField(_("to"))
    subject = models.CharField(pgettext_lazy("notifications", "subject"), max_length=200)
    body = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # One event, one message: a second notify() for the same event finds this key taken.
    dedupe_key = models.CharField(pgettext_lazy("notifications", "dedupe key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(pgettext_lazy("notifications", "attempts"), default=0)
    # Not before this time: now when written, later after a failed attempt (backoff).
    next_attempt_at = models.DateTimeField(pgettext_lazy("notifications", "next attempt"))
    # The lease: the worker that claimed the message, and when. A `sending` message whose
    # lease has run out belongs to a worker that died, and the next worker takes it.
    claimed_at = models.DateTimeField(pgettext_lazy("notifications", "claimed"), null=True, blank=True)
    claimed_by = models.CharField(pgettext_lazy("notifications", "claimed by"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(pgettext_lazy("notifications", "sent"), null=True, blank=True)
    last_error = models.TextField(pgettext_lazy("notifications", "last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="outbox_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="outbox_status_valid", condition=Q(status__in=["pending", "sending", "sent", "failed"])
            ),
            models.CheckConstraint(
                name="outbox_sending_has_lease",
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="outbox_sent_has_time", condition=~Q(status="sent") | Q(sent_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class NotificationPreference(models.Model):
    """A user's choice for one kind; no row means the default (EMAIL_BY_DEFAULT)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=pgettext_lazy("notifications", "user"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    email = models.BooleanField(pgettext_lazy("notifications", "by e-mail"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"
