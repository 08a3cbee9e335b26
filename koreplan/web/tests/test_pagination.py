"""The one pagination include keeps the list's filters in its links."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation


def test_the_links_keep_the_filters_and_name_the_page():
    page = Paginator(range(100), 25).page(2)
    # In Danish whatever language an earlier test on this worker left active.
    with translation.override("da"):
        html = render_to_string("includes/pagination.html", {"page": page, "page_query": "q=holm&status=open"})
    assert 'href="?q=holm&amp;status=open&amp;side=1"' in html
    assert 'href="?q=holm&amp;status=open&amp;side=3"' in html
    assert "Side 2 af 4" in html


def test_without_filters_and_with_one_page_only():
    html = render_to_string("includes/pagination.html", {"page": Paginator(range(100), 25).page(1), "page_query": ""})
    assert 'href="?side=2"' in html and "button-previous" not in html
    assert render_to_string("includes/pagination.html", {"page": Paginator(range(3), 25).page(1)}).strip() == ""
