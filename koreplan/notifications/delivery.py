"""Sending the outbox: each message once, even when a worker dies half-way.

`notify` writes an `OutboxMessage` in the transaction of the event it reports, so what is
in the outbox has happened. The task worker empties it (`tasks.deliver_outbox` calls
`outbox_deliver`), any number of workers at a time:

1. **Claim** a small batch in one short transaction: the due messages (`pending` whose
   `next_attempt_at` has come, and `sending` whose lease has run out) become `sending`,
   with `claimed_by` this run and `claimed_at` now, and one more attempt counted. On
   PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED`, so concurrent workers take
   different messages without waiting for each other; on SQLite the transaction holds the
   database's write lock from its first statement (the settings open every transaction
   IMMEDIATE), so claims simply queue. Either way no two workers hold one message.
2. **Send** each with Django's e-mail API, outside any transaction (an SMTP conversation
   must not hold row locks), with a `Message-ID` derived from the message's id.
3. **Mark** it `sent`, but only while the claim is still ours (status `sending`, same
   `claimed_by` and `claimed_at`).

What a dying worker leaves behind:

- Killed after claiming, before sending: the message stays `sending` until its lease
  (`LEASE`) runs out, and then the next run claims and sends it. Nothing is lost; it is
  late by at most the lease plus the time to the next run.
- Killed after the SMTP server accepted the message, before the row was marked `sent`:
  this is the one window no database can close, because the mail server and the
  database cannot commit together. The message is sent again after the lease. It is a
  window of milliseconds per message, and the copy carries the same `Message-ID`, by
  which a receiving server or mail client that deduplicates (many do, e.g. Gmail,
  Exchange/Outlook for the same mailbox) drops or folds it. At worst a person gets the
  same notice twice; never a notice of something that did not happen, and never none.
- A run that is merely slow does not send behind another's back: it stops taking
  messages from its batch once half the lease has passed and hands the rest back, and
  the lease is long (`LEASE`) against the SMTP timeout (`SMTP_TIMEOUT`).

Failures are retried with exponential backoff (`backoff`); after `MAX_ATTEMPTS` claims
the message is `failed` and stays visible in the admin with its last error. A claim
counts as an attempt, so a message that kills its worker every time (a poison message)
also ends as `failed` instead of looping for ever. A permanent refusal of the address
(an SMTP 5xx for every recipient) fails at once.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from koreplan.notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

#: Messages claimed at a time: small, so a worker holds little that others must wait for.
BATCH_SIZE = 10
#: How long a claim protects a message. Long against one SMTP conversation (SMTP_TIMEOUT),
#: short enough that a dead worker's messages go out the same quarter of an hour.
LEASE = timedelta(minutes=10)
#: Seconds before a hanging SMTP server counts as a failed attempt (Django waits for ever
#: by default).
SMTP_TIMEOUT = 30
#: Claims before a message is given up as failed (the last retry comes about a day later).
MAX_ATTEMPTS = 8
_BACKOFF_FIRST = timedelta(minutes=1)
_BACKOFF_MAX = timedelta(hours=12)
_ERROR_MAX = 2000


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after `attempts` failed ones: 1, 2, 4 … minutes,
    at most 12 hours."""
    return min(_BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), _BACKOFF_MAX)


def message_id(message: OutboxMessage) -> str:
    """The RFC 5322 Message-ID of an outbox message: the same on every attempt, so a
    second copy (see the module's docstring) is recognisably the same message; with the
    time the row was written, so that ids reused by a new database do not collide."""
    domain = _sender_domain()
    return f"<koreplan.outbox.{message.pk}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


def _sender_domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return sender.rsplit("@", 1)[-1] if "@" in sender else "koreplan.invalid"


def worker_name() -> str:
    """Who holds a claim: host, process and a random part, unique per run."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost: int = 0  # sent, but the claim had passed to another worker meanwhile
    next_due: datetime | None = field(default=None)


def _due(now: datetime) -> Q:
    return Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxMessage.Status.SENDING, claimed_at__lt=now - LEASE
    )


def outbox_claim(*, worker: str, limit: int = BATCH_SIZE) -> list[OutboxMessage]:
    """Claim up to `limit` due messages for `worker` and return them (see the module's
    docstring). An expired claim is taken over: its worker is presumed dead."""
    now = timezone.now()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(_due(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        # SQLite: the IMMEDIATE transaction already holds the write lock, so no one can
        # claim these between this read and the update below.
        ids = list(due.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(id__in=ids).update(
            status=OutboxMessage.Status.SENDING,
            claimed_at=now,
            claimed_by=worker,
            attempts=F("attempts") + 1,
        )
    return list(OutboxMessage.objects.filter(id__in=ids, claimed_by=worker, claimed_at=now).order_by("id"))


def _mine(message: OutboxMessage) -> Q:
    return Q(
        pk=message.pk,
        status=OutboxMessage.Status.SENDING,
        claimed_by=message.claimed_by,
        claimed_at=message.claimed_at,
    )


def _as_email(message: OutboxMessage, mail_connection) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        connection=mail_connection,
        headers={"Message-ID": message_id(message), "Auto-Submitted": "auto-generated"},
    )


def _permanent(error: Exception) -> bool:
    """An address every server will refuse again: all recipients refused with 5xx."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


def _failed(message: OutboxMessage, error: Exception, report: DeliveryReport) -> None:
    now = timezone.now()
    give_up = _permanent(error) or message.attempts >= MAX_ATTEMPTS
    updated = OutboxMessage.objects.filter(_mine(message)).update(
        status=OutboxMessage.Status.FAILED if give_up else OutboxMessage.Status.PENDING,
        next_attempt_at=now if give_up else now + backoff(message.attempts),
        claimed_at=None,
        claimed_by="",
        last_error=f"{type(error).__name__}: {error}"[:_ERROR_MAX],
    )
    if not updated:
        report.lost += 1
    elif give_up:
        report.failed += 1
        logger.error("Outbox message %s failed after %d attempts: %s", message.pk, message.attempts, error)
    else:
        report.retrying += 1
        logger.warning("Outbox message %s not sent (attempt %d), will retry: %s", message.pk, message.attempts, error)


def _release(messages: list[OutboxMessage]) -> None:
    """Hand back claimed messages untried: pending again, the attempt not counted."""
    for message in messages:
        OutboxMessage.objects.filter(_mine(message)).update(
            status=OutboxMessage.Status.PENDING, claimed_at=None, claimed_by="", attempts=F("attempts") - 1
        )


def _send_batch(messages: list[OutboxMessage], report: DeliveryReport) -> None:
    mail = get_connection(fail_silently=False, timeout=SMTP_TIMEOUT)
    try:
        for index, message in enumerate(messages):
            if timezone.now() - message.claimed_at > LEASE / 2:
                # Too slow: the rest goes back before our claim on it can expire.
                _release(messages[index:])
                return
            try:
                _as_email(message, mail).send()
            except Exception as error:  # noqa: BLE001 - any failure is a failed attempt
                _failed(message, error, report)
                mail.close()  # a broken SMTP session is not reused; send() reopens
                continue
            # The window of the module's docstring is here: sent, not yet marked.
            updated = OutboxMessage.objects.filter(_mine(message)).update(
                status=OutboxMessage.Status.SENT,
                sent_at=timezone.now(),
                claimed_at=None,
                claimed_by="",
                last_error="",
            )
            if updated:
                report.sent += 1
            else:
                report.lost += 1
                logger.warning("Outbox message %s was sent after its claim had expired.", message.pk)
    finally:
        mail.close()


def outbox_deliver(*, worker: str | None = None, batch_size: int = BATCH_SIZE, max_batches: int = 100) -> DeliveryReport:
    """Send every due message, batch by batch, and report how it went.

    `max_batches` bounds one run so that a full outbox does not keep one worker for
    hours; what is left is due for the next run (`next_due` says when that should be).
    Must not run inside a transaction: each claim and each mark commits on its own.
    """
    worker = worker or worker_name()
    report = DeliveryReport()
    for _ in range(max_batches):
        messages = outbox_claim(worker=worker, limit=batch_size)
        if not messages:
            break
        _send_batch(messages, report)
    report.next_due = outbox_next_due()
    return report


def outbox_next_due() -> datetime | None:
    """When the outbox next has something to send: the earliest retry, or the earliest
    expiry of a lease held by someone else; None if nothing is waiting."""
    waiting = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
    ).aggregate(
        retry=Min("next_attempt_at", filter=Q(status=OutboxMessage.Status.PENDING)),
        claimed=Min("claimed_at", filter=Q(status=OutboxMessage.Status.SENDING)),
    )
    times = [waiting["retry"], waiting["claimed"] and waiting["claimed"] + LEASE]
    times = [t for t in times if t is not None]
    return min(times) if times else None
