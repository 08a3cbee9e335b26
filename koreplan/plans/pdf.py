"""Render a plan page to PDF with WeasyPrint.

WeasyPrint fetches the stylesheets and the design system's font by URL. It is given a
fetcher that serves the project's own static files from disk and refuses everything
else: a PDF never makes a network request, and nothing in a plan's text can make it
fetch one.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: A base URL no one can reach: relative and root-relative URLs resolve against it.
BASE_URL = "https://koreplan.invalid/"


class StaticFilesFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        static_prefix = "/" + settings.STATIC_URL.lstrip("/")
        if parts.netloc != urlsplit(BASE_URL).netloc or not parts.path.startswith(static_prefix):
            raise ValueError(f"Only Køreplan's static files are fetched, not {url}")
        path = finders.find(unquote(parts.path[len(static_prefix):]))
        if not path:
            raise ValueError(f"No static file {parts.path}")
        with open(path, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def render_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf()
