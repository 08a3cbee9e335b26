"""The bench's baselines: the smallest page a logged-in user can get, and the project's
page layout with nothing in it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.views.decorators.http import require_safe

# Template strings, not files: koreplan.bench is not an installed app (it needs no models
# and no migrations), so it has no template directory of its own.
_PING = engines["django"].from_string(
    '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>ping</title></head>'
    "<body><p>{{ request.user.get_username }}</p></body></html>"
)
_LAYOUT = engines["django"].from_string('{% extends "base.html" %}{% block title %}Bench{% endblock %}')


@require_safe
@login_required
def ping(request: HttpRequest) -> HttpResponse:
    """Session, authentication, the whole middleware stack, the context processors and a
    template render — and nothing else: the baseline the pages are measured against."""
    return HttpResponse(_PING.render({}, request))


@require_safe
@login_required
def layout(request: HttpRequest) -> HttpResponse:
    """The ping plus the project's page layout (``base.html``: header, menu, footer) with
    no content: shown beside the figures, to tell the layout's share from the page's own."""
    return HttpResponse(_LAYOUT.render({}, request))
