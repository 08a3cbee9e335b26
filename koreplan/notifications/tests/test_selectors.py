"""The unread count in raw SQL counts what the ORM counts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from koreplan.notifications.models import Kind, Notification
from koreplan.notifications.selectors import notifications_for, unread_count

pytestmark = pytest.mark.django_db


def tell(user, *, read: bool = False) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind=Kind.REQUEST_RECEIVED,
        subject="Ny anmodning",
        read_at=timezone.now() if read else None,
    )


def orm_count(user) -> int:
    return notifications_for(user=user).filter(read_at__isnull=True).count()


def test_none_is_none(socialraadgiver):
    assert unread_count(user=socialraadgiver) == 0 == orm_count(socialraadgiver)


def test_counts_the_user_s_unread_and_not_the_read_nor_others(socialraadgiver, kollega):
    for _ in range(3):
        tell(socialraadgiver)
    tell(socialraadgiver, read=True)
    tell(socialraadgiver, read=True)
    tell(kollega)
    tell(kollega, read=True)

    assert unread_count(user=socialraadgiver) == 3 == orm_count(socialraadgiver)
    assert unread_count(user=kollega) == 1 == orm_count(kollega)


def test_reading_one_lowers_the_count(socialraadgiver):
    first = tell(socialraadgiver)
    tell(socialraadgiver)
    first.read_at = timezone.now()
    first.save()

    assert unread_count(user=socialraadgiver) == 1 == orm_count(socialraadgiver)


def test_one_query(socialraadgiver):
    tell(socialraadgiver)
    with CaptureQueriesContext(connection) as queries:
        unread_count(user=socialraadgiver)
    assert len(queries) == 1


def test_an_anonymous_user_has_none_and_costs_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert unread_count(user=AnonymousUser()) == 0
    assert len(queries) == 0
