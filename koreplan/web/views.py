from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The home page, where login lands.

    A placeholder until the worklists app serves "Mine opgaver" at /opgaver/; then this
    view becomes a redirect there.
    """
    return render(request, "web/home.html")
