from django.http import HttpRequest

from koreplan.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict:
    """The number of unread notifications for the header's "Meddelelser (N)".

    Lazy, so that a page that does not show the header (an htmx partial, a PDF) costs no
    query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cache: list[int] = []

    def count() -> int:
        if not cache:
            cache.append(unread_count(user=user))
        return cache[0]

    return {"unread_notifications": count}
