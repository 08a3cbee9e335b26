"""Every read of notifications and preferences. A user reads only their own."""

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from koreplan.notifications.models import (
    EMAIL_BY_DEFAULT,
    Kind,
    Notification,
    NotificationPreference,
)


def notifications_for(*, user) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notification_get(*, user, notification_id: int) -> Notification:
    """The user's own notification, else 404: another user's is not revealed to exist."""
    try:
        return notifications_for(user=user).get(pk=notification_id)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("No such notification") from None


def unread_count(*, user) -> int:
    """`notifications_for(user).filter(read_at__isnull=True).count()`, in raw SQL.

    The header shows it on every page, and the ORM's building of the query cost more than
    the query itself (which the partial index notification_recipient_unread answers).
    """
    if not user.is_authenticated:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_COUNT_SQL, [user.pk])
        (count,) = cursor.fetchone()
    return count


_UNREAD_COUNT_SQL = (
    f"SELECT COUNT(*) FROM {Notification._meta.db_table} WHERE recipient_id = %s AND read_at IS NULL"
)


def email_preferences(*, user) -> dict[str, bool]:
    """Every kind → whether the user wants it by e-mail (their choice or the default)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, kind in EMAIL_BY_DEFAULT) for kind in Kind.values}


def email_wanted(*, user, kind: str) -> bool:
    """Whether `user` wants `kind` by e-mail: their choice, or the default."""
    choice = NotificationPreference.objects.filter(user=user, kind=kind).values_list("email", flat=True).first()
    return kind in EMAIL_BY_DEFAULT if choice is None else choice


def email_wanted_by(*, users, kind: str) -> dict[int, bool]:
    """`email_wanted` for several users in one query: user id → wants `kind` by e-mail."""
    chosen = dict(
        NotificationPreference.objects.filter(user__in=[u.pk for u in users], kind=kind).values_list("user_id", "email")
    )
    return {user.pk: chosen.get(user.pk, kind in EMAIL_BY_DEFAULT) for user in users}
