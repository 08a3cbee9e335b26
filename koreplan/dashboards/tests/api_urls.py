"""The project's URLs plus the dashboards' router on a NinjaAPI of its own, for the tests,
until the API app mounts the router at /api/v1 (``api.add_router("/", router)``)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from config.urls import urlpatterns as project_urlpatterns
from koreplan.dashboards.api import build_router

api = NinjaAPI(title="dashboards (test)", urls_namespace="dashboards_api_test", auth=django_auth, docs_url=None)
api.add_router("/", build_router())
patterns, app_name, namespace = api.urls
for pattern in patterns:
    # Outside the login redirect, as at /api/v1: an API answers 401 itself.
    login_not_required(pattern.callback)

urlpatterns = [path("api/dashboards-test/", (patterns, app_name, namespace)), *project_urlpatterns]
