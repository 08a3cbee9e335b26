"""The page layout's header, stylesheets and scripts, written in Python.

Every page pays for the layout, and in the template the header alone (a form per language,
two logout forms, a dozen icons and URLs) cost most of the empty layout's time. Here what
depends only on the language, the script prefix and the urlconf is built once and kept;
a request adds only what is its own: the CSRF token, its path, the user, the unread
count and which section is current. The markup is base.html's as it was; the tests in
web/tests/test_layout.py compare the two.
"""

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info, gettext

from koreplan.web.templatetags.koreplan_web import dkfds_static, htmx_static, icon

# (language, script prefix, urlconf) → the parts of the layout that depend on nothing else.
_parts: dict[tuple, dict] = {}


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    # Static URLs, languages and URLs all follow settings; a test that overrides one must
    # not see a layout built under another. Clearing on every change is simplest and cheap.
    _parts.clear()


def _fixed_parts() -> dict:
    language = get_language()
    key = (language, get_script_prefix(), get_urlconf())
    parts = _parts.get(key)
    if parts is None:
        parts = _parts[key] = _build_parts(language)
    return parts


def _build_parts(language: str) -> dict:
    e = conditional_escape
    set_language = e(reverse("set_language"))
    languages = []
    for code, _name in settings.LANGUAGES:
        current = code == language
        name = e(capfirst(get_language_info(code)["name_local"]))
        languages.append(
            (
                f'<li>\n<form action="{set_language}" method="post">\n',
                '\n<input type="hidden" name="next" value="',
                f'">\n<button type="submit" name="language" value="{e(code)}" class="function-link" lang="{e(code)}"'
                + (' aria-current="true"' if current else "")
                + ">\n"
                + (icon("check") if current else "")
                + f"{name}\n</button>\n</form>\n</li>\n",
            )
        )
    profile = (
        f'<p class="koreplan-profile-link d-print-none"><a href="{e(reverse("accounts:profile"))}"'
        ' class="function-link"'
    )
    profile_end = f">{icon('account')}{e(gettext('My profile'))}</a></p>\n"
    notifications = (
        f'<p class="koreplan-notifications-link d-print-none"><a href="{e(reverse("notifications:list"))}"'
        ' class="function-link"'
    )
    return {
        "languages_start": f'<ul aria-label="{e(gettext("Choose language"))}">\n',
        "languages": languages,
        "profile": {
            True: f'{profile} aria-current="page"{profile_end}',
            False: f"{profile}{profile_end}",
        },
        "notifications": {
            True: f'{notifications} aria-current="page">{icon("notifications")}',
            False: f'{notifications}>{icon("notifications")}',
        },
        # Not escaped, as {% blocktranslate %} does not escape its message, only the count.
        "notifications_label": gettext("Notifications (%(count)s)"),
        "logout_start": f'<form action="{e(reverse("logout"))}" method="post">\n',
        "logout_end": (
            '\n<button type="submit" class="function-link d-print-none log-off">'
            f"{icon('lock')}{e(gettext('Log out'))}</button>\n</form>\n"
        ),
        "solution_start": (
            '<div class="solution-info">\n<div class="solution-info-inner container">\n'
            f'<div class="solution-heading">\n<a href="{e(reverse("home"))}">Køreplan</a>\n</div>\n'
        ),
        "menu_button": (
            '<button type="button" class="function-link button-menu-open js-menu-open ml-auto d-print-none"'
            f' aria-haspopup="dialog">{icon("menu")}{e(gettext("Menu"))}</button>\n'
        ),
        "main_menu": e(gettext("Main menu")),
        "drawer_top": (
            '<div class="mobile-drawer" aria-labelledby="menu-heading">\n<div class="menu-top">\n'
            f'<h2 id="menu-heading" class="menu-heading">{e(gettext("Menu"))}</h2>\n'
            '<button type="button" class="function-link button-menu-close js-menu-close"'
            f' aria-label="{e(gettext("Close menu"))}">{icon("close")}{e(gettext("Close"))}</button>\n</div>\n'
        ),
        "stylesheets": format_html(
            '<link rel="stylesheet" href="{}">\n<link rel="stylesheet" href="{}">',
            dkfds_static("css/dkfds.min.css"),
            static("koreplan/css/koreplan.css"),
        ),
        "scripts": format_html(
            '<script defer src="{}"></script>\n<script defer src="{}"></script>\n<script defer src="{}"></script>',
            htmx_static(),
            dkfds_static("js/dkfds.min.js"),
            static("koreplan/js/koreplan.js"),
        ),
    }


def stylesheets() -> SafeString:
    return _fixed_parts()["stylesheets"]


def scripts() -> SafeString:
    return _fixed_parts()["scripts"]


def header(context) -> SafeString:
    """The page's <header>: language switcher, the user's links, the heading and the menu."""
    parts = _fixed_parts()
    request = context.get("request")
    user = context.get("user")
    navigation = context.get("navigation")
    # One token for every form of the page, as the template's {% csrf_token %} gave.
    token = get_token(request) if request is not None else None
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">' if token else ""
    next_path = escape(request.get_full_path()) if request is not None else ""

    html = [
        '<header class="header">\n'
        '<div class="language-switcher koreplan-language-switcher d-print-none">\n<div class="container">\n',
        parts["languages_start"],
    ]
    for start, middle, end in parts["languages"]:
        html += (start, csrf, middle, next_path, end)
    html.append("</ul>\n</div>\n</div>\n")

    # The user's name and links appear twice (header and drawer), and are built once.
    name = organisation = user_links = None
    if user is not None and getattr(user, "is_authenticated", False):
        name, organisation = _name_and_organisation(user)
        user_links = _user_links(parts, context, request, csrf)
        html += (
            '<div class="portal-info">\n<div class="portal-info-inner container">\n<div class="portal-user">\n'
            f'<p class="user">{name}{", " if organisation else ""}{organisation}</p>\n',
            user_links,
            "</div>\n</div>\n</div>\n",
        )

    html.append(parts["solution_start"])
    if navigation:
        html.append(parts["menu_button"])
    html.append("</div>\n</div>\n")

    if navigation:
        menu = _menu(navigation)
        if user_links is None:
            name, organisation = _name_and_organisation(user)
            user_links = _user_links(parts, context, request, csrf)
        html += (
            '<div class="navigation-menu">\n<div class="navigation-menu-inner container">\n'
            f'<nav class="nav" aria-label="{parts["main_menu"]}">{menu}</nav>\n</div>\n</div>\n',
            parts["drawer_top"],
            '<div class="portal-info-mobile">\n'
            f'<p class="user">{name}{"<br>" if organisation else ""}{organisation}</p>\n',
            user_links,
            "</div>\n"
            f'<nav class="navigation-menu-mobile" aria-label="{parts["main_menu"]}">{menu}</nav>\n</div>\n',
        )
    html.append("</header>")
    return mark_safe("".join(html))  # noqa: S308 — every value above is escaped


def _name_and_organisation(user) -> tuple[str, str]:
    if user is None:
        return "", ""
    organisation = getattr(user, "organisation", None)
    return conditional_escape(user), conditional_escape(organisation) if organisation else ""


def _user_links(parts: dict, context, request, csrf: str) -> str:
    """Profile, notifications and log out: shown in the header and again in the drawer."""
    resolver_match = getattr(request, "resolver_match", None)
    app_name = getattr(resolver_match, "app_name", None)
    links = [parts["profile"][app_name == "accounts"]]
    unread = context.get("unread_notifications")
    if callable(unread):
        unread = unread()
    if unread is not None:
        count = conditional_escape(formats.localize(unread))
        links += (
            parts["notifications"][app_name == "notifications"],
            parts["notifications_label"] % {"count": count},
            "</a></p>\n",
        )
    links += (parts["logout_start"], csrf, parts["logout_end"])
    return "".join(links)


def _menu(navigation) -> str:
    items = []
    for item in navigation:
        current = item.get("current")
        href = conditional_escape(item.get("href", ""))
        label = conditional_escape(item.get("label", ""))
        if current:
            items.append(
                f'<li class="active current">\n<a href="{href}" class="nav-link" aria-current="page">'
                f"<span>{label}</span></a>\n</li>\n"
            )
        else:
            items.append(f'<li>\n<a href="{href}" class="nav-link"><span>{label}</span></a>\n</li>\n')
    return '\n<ul class="mainmenu">\n' + "".join(items) + "</ul>\n"
