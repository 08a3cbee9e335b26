"""The paged lists' query string (``templates/includes/pagination.html``)."""

from django.http import HttpRequest

#: The query parameter that carries the page number.
PAGE_PARAMETER = "side"


def query_without_page(request: HttpRequest) -> str:
    """The request's query string, URL-encoded, without the page: the filters a link to
    another page (or an export of the same list) keeps."""
    params = request.GET.copy()
    params.pop(PAGE_PARAMETER, None)
    return params.urlencode()


def page_number(request: HttpRequest) -> str | None:
    """The page asked for, as given (``Paginator.get_page`` copes with anything)."""
    return request.GET.get(PAGE_PARAMETER)
