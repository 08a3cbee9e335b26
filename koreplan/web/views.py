from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The home page, where login lands: Mine opgaver, what a caseworker opens every morning."""
    return redirect("cases:worklist")
