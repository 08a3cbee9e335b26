"""Meddelelser: the user's own notifications, and their e-mail preferences.

Function views; reads through the selectors (a user reaches only their own notifications:
anyone else's id is a 404), writes through the services. Every change is a POST followed
by a redirect, so the pages work without JavaScript.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from koreplan.notifications import selectors, services
from koreplan.notifications.forms import PreferencesForm
from koreplan.web.pagination import page_number

PER_PAGE = 30


def _safe_url(request: HttpRequest, url: str) -> str:
    """A notification's link, if it stays inside Køreplan; else none."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return ""


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    only_unread = request.GET.get("vis") == "ulaeste"
    notifications = selectors.notifications_for(user=request.user)
    if only_unread:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, PER_PAGE).get_page(page_number(request))
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page": page,
            "items": [(n, _safe_url(request, n.url)) for n in page.object_list],
            "only_unread": only_unread,
            "unread": selectors.unread_count(user=request.user),
        },
    )


@require_safe
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """One notification in full — where an e-mail's link lands. Opening it marks it read,
    as opening a letter does; the change is the reader's own and idempotent."""
    notification = selectors.notification_get(user=request.user, notification_id=notification_id)
    services.notification_mark_read(user=request.user, notification=notification)
    return render(
        request,
        "notifications/notification_detail.html",
        {"notification": notification, "link": _safe_url(request, notification.url)},
    )


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_get(user=request.user, notification_id=notification_id)
    services.notification_mark_read(user=request.user, notification=notification)
    return _back_to_list(request, anchor=f"notification-{notification.pk}")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
            % {"count": count},
        )
    return _back_to_list(request)


def _back_to_list(request: HttpRequest, anchor: str = "") -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = ""
    # A bare word is a relative address here, not a view name for redirect() to reverse.
    response = HttpResponseRedirect(target) if target else redirect("notifications:list")
    if anchor and "#" not in response["Location"]:
        response["Location"] += f"#{anchor}"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.email_preferences(user=request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.notification_preferences_set(
                user=request.user, email_kinds=form.cleaned_data["email_kinds"], request=request
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial={"email_kinds": [kind for kind, wanted in current.items() if wanted]})
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )


