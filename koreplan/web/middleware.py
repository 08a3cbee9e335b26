from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DanishByDefaultLocaleMiddleware(LocaleMiddleware):
    """Danish unless the user has chosen another language with the language switcher.

    Django's own middleware would follow the browser's Accept-Language header, so a
    caseworker whose browser happens to be set up in English would meet an English system
    among Danish colleagues, letters and legal terms. Here only the explicit choice (the
    language cookie that set_language writes) counts.
    """

    def process_request(self, request) -> None:
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            try:
                language = translation.get_supported_language_variant(chosen)
            except LookupError:
                pass
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def permissions_policy(get_response):
    """Send the Permissions-Policy header (settings.PERMISSIONS_POLICY), which Django's
    SecurityMiddleware does not: the browser features no page of Køreplan uses stay off."""
    policy = settings.PERMISSIONS_POLICY

    def middleware(request):
        response = get_response(request)
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response

    return middleware
