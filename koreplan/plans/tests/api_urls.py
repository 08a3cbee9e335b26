"""The project's URLs plus the plan router on a NinjaAPI of its own, for the tests, until
the API app mounts the router at /api/v1 (``api.add_router("/", plans_router)``)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from config.urls import urlpatterns as project_urlpatterns
from koreplan.api.errors import install_exception_handlers
from koreplan.plans.api import build_router

api = NinjaAPI(title="plans (test)", urls_namespace="plans_api_test", auth=django_auth, docs_url=None)
install_exception_handlers(api)  # as at /api/v1: a conflict says what is saved now
api.add_router("/", build_router())
patterns, app_name, namespace = api.urls
for pattern in patterns:
    # Outside the login redirect, as at /api/v1: an API answers 401 itself.
    login_not_required(pattern.callback)

urlpatterns = [path("api/plans-test/", (patterns, app_name, namespace)), *project_urlpatterns]
