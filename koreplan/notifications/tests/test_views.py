"""Meddelelser and its settings: the happy paths, and the access rule — a user reaches only
their own notifications; anyone else's id is a 404."""

from __future__ import annotations

import pytest

from koreplan.notifications import services
from koreplan.notifications.models import Kind, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def tell(user, subject="Ny anmodning om overdragelse", url="/overdragelser/", **kwargs) -> Notification:
    (notification,) = services.notify(
        recipients=[user], kind=Kind.HANDOVER_REQUESTED, subject=subject, body="Jens Hansens sag", url=url, **kwargs
    )
    return notification


def html(response) -> str:
    return response.content.decode()


def test_the_list_shows_my_notifications_and_not_others(client, socialraadgiver, kollega):
    tell(socialraadgiver, subject="Til Susanne")
    tell(kollega, subject="Til Kasper")
    client.force_login(socialraadgiver)

    response = client.get("/meddelelser/")

    assert response.status_code == 200
    assert "Til Susanne" in html(response)
    assert "Til Kasper" not in html(response)
    assert "Meddelelser (1)" in html(response)  # the header's count, in Danish


def test_the_header_counts_unread_on_every_page(client, socialraadgiver):
    client.force_login(socialraadgiver)
    assert "Meddelelser (0)" in html(client.get("/opgaver/"))
    tell(socialraadgiver)
    tell(socialraadgiver)
    assert "Meddelelser (2)" in html(client.get("/opgaver/"))


def test_the_login_page_has_no_count(client):
    assert "Meddelelser (" not in html(client.get("/login/"))


def test_opening_a_notification_shows_it_and_marks_it_read(client, socialraadgiver):
    notification = tell(socialraadgiver)
    client.force_login(socialraadgiver)

    response = client.get(f"/meddelelser/{notification.pk}/")

    assert response.status_code == 200
    assert "Jens Hansens sag" in html(response)
    assert 'href="/overdragelser/"' in html(response)
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_out_of_koreplan_is_not_shown(client, socialraadgiver):
    notification = tell(socialraadgiver, url="https://evil.example/")
    client.force_login(socialraadgiver)
    assert "evil.example" not in html(client.get(f"/meddelelser/{notification.pk}/"))
    assert "evil.example" not in html(client.get("/meddelelser/"))


def test_mark_one_read(client, socialraadgiver):
    first, second = tell(socialraadgiver), tell(socialraadgiver)
    client.force_login(socialraadgiver)

    response = client.post(f"/meddelelser/{first.pk}/laest/")

    assert response.status_code == 302
    assert response["Location"] == f"/meddelelser/#notification-{first.pk}"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert "Meddelelser (1)" in html(client.get("/meddelelser/"))


def test_mark_one_read_goes_back_to_next_even_when_it_is_a_bare_word(client, socialraadgiver):
    # redirect() would take "opgaver" for a view name to reverse, and fail with a 500.
    notification = tell(socialraadgiver)
    client.force_login(socialraadgiver)

    response = client.post(f"/meddelelser/{notification.pk}/laest/", {"next": "opgaver"})

    assert response.status_code == 302
    assert response["Location"] == f"opgaver#notification-{notification.pk}"


def test_mark_all_read_touches_only_mine(client, socialraadgiver, kollega):
    tell(socialraadgiver)
    tell(socialraadgiver)
    theirs = tell(kollega)
    client.force_login(socialraadgiver)

    response = client.post("/meddelelser/alle-laest/", follow=True)

    assert "2 meddelelser er markeret som læst." in html(response)
    assert not Notification.objects.filter(recipient=socialraadgiver, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_only_unread(client, socialraadgiver):
    read = tell(socialraadgiver, subject="Gammel")
    tell(socialraadgiver, subject="Frisk")
    services.notification_mark_read(user=socialraadgiver, notification=read)
    client.force_login(socialraadgiver)

    page = html(client.get("/meddelelser/?vis=ulaeste"))

    assert "Frisk" in page and "Gammel" not in page


def test_marking_read_is_a_post(client, socialraadgiver):
    notification = tell(socialraadgiver)
    client.force_login(socialraadgiver)
    assert client.get(f"/meddelelser/{notification.pk}/laest/").status_code == 405
    assert client.get("/meddelelser/alle-laest/").status_code == 405


@pytest.mark.parametrize("persona", ["kollega", "fremmed", "kommune", "admin"])
def test_another_users_notification_is_404(client, socialraadgiver, persona, request):
    notification = tell(socialraadgiver)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(f"/meddelelser/{notification.pk}/").status_code == 404
    assert client.post(f"/meddelelser/{notification.pk}/laest/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_anonymous_users_are_sent_to_the_login(client, socialraadgiver):
    notification = tell(socialraadgiver)
    for url in ["/meddelelser/", f"/meddelelser/{notification.pk}/", "/meddelelser/indstillinger/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_the_settings_page_shows_the_defaults_and_saves_a_choice(client, socialraadgiver):
    client.force_login(socialraadgiver)

    page = html(client.get("/meddelelser/indstillinger/"))
    assert page.count(" checked") == len(Kind)
    assert "Daglig oversigt over opgaver" in page

    response = client.post("/meddelelser/indstillinger/", {"email_kinds": [Kind.DIGEST, Kind.HANDOVER_REQUESTED]})

    assert response.status_code == 302
    wanted = dict(NotificationPreference.objects.filter(user=socialraadgiver).values_list("kind", "email"))
    assert wanted[Kind.DIGEST] and wanted[Kind.HANDOVER_REQUESTED]
    assert not wanted[Kind.REQUEST_RECEIVED]
    assert html(client.get("/meddelelser/indstillinger/")).count(" checked") == 2


def test_the_settings_page_refuses_an_unknown_kind(client, socialraadgiver):
    client.force_login(socialraadgiver)
    response = client.post("/meddelelser/indstillinger/", {"email_kinds": ["gossip"]})
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()


def test_the_settings_page_says_when_there_is_no_address(client, socialraadgiver):
    socialraadgiver.email = ""
    socialraadgiver.save()
    client.force_login(socialraadgiver)
    assert "Der er ikke registreret en e-mailadresse" in html(client.get("/meddelelser/indstillinger/"))
