"""Parts of pages kept as rendered, for the one viewer they were rendered for, until what
they show changes.

The case page reads a dozen tables and writes a long page: most of its time (docs/
performance.md), and the same again each time a social worker comes back to it from the
plan, the worklist or a request. What it shows changes only through a service, and every
service records its change in the audit log, which keeps the newest change of each case and
client (``audit.models.LastChange``). So a rendered part is kept under a key made of
everything it depends on, and a change makes a new key — nothing has to be told to forget:

- the newest changes of the case and of its client;
- the viewer — who they are, their organisation and their role decide what they may see and
  do — and the language they read;
- the day: deadlines turn overdue at midnight;
- the viewer's CSRF secret: the part's forms carry a token made from it.

What no audited change moves — a name changed in the admin, the nightly recalculation's
tasks on a page kept after midnight — shows within ``KOREPLAN_PAGE_CACHE_SECONDS`` (0 turns
keeping off; it is off while DEBUG is on, so that an edited template shows at once).

The parts are kept in the web process's own memory (the ``pages`` cache, Django's
local-memory backend): criminal-offence data does not leave the process that was allowed to
read it, and a restart empties it. Each web worker keeps its own.
"""

from collections.abc import Callable, Hashable
from hashlib import sha256

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

CACHE_ALIAS = "pages"


def viewer_key(request: HttpRequest) -> tuple[Hashable, ...]:
    """What a rendered part depends on besides its subject: the viewer, their language,
    the day and their CSRF secret."""
    user = request.user
    get_token(request)  # makes sure the secret exists, and is sent if new
    secret = sha256(request.META["CSRF_COOKIE"].encode()).hexdigest()[:16]
    return (
        user.pk, user.organisation_id, user.role, user.is_superuser,
        get_language(), timezone.localdate().isoformat(), secret,
    )


def kept(
    kind: str, request: HttpRequest, render: Callable[[], str], *, subject: Callable[[], tuple] | None
) -> SafeString:
    """The part ``kind`` for what ``subject()`` gives (what it shows and the ids of their
    newest changes, as ``repr`` writes them) as this viewer last had it rendered, or
    ``render()``'s result, kept for next time. With no ``subject`` (the user's input shown
    again) or keeping off, ``render()``'s result, neither looked up nor kept."""
    seconds = settings.KOREPLAN_PAGE_CACHE_SECONDS
    if subject is None or not seconds:
        return mark_safe(render())
    # Hashed: a worklist's subject is a page of tasks and their cases' changes.
    key = ":".join([kind, sha256(repr(subject()).encode()).hexdigest(), *(str(part) for part in viewer_key(request))])
    cache = caches[CACHE_ALIAS]
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, seconds)
    return mark_safe(html)
