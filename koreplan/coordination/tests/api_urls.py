"""The project's URLs plus the consent and coordination routers on a NinjaAPI of their own,
for the tests, until the API app mounts them at /api/v1."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from config.urls import urlpatterns as project_urlpatterns
from koreplan.consent.api import build_router as consent_router
from koreplan.coordination.api import build_router as coordination_router

api = NinjaAPI(title="consent and coordination (test)", urls_namespace="coordination_api_test", auth=django_auth, docs_url=None)
api.add_router("/", consent_router())
api.add_router("/", coordination_router())
patterns, app_name, namespace = api.urls
for pattern in patterns:
    login_not_required(pattern.callback)

urlpatterns = [path("api/test/", (patterns, app_name, namespace)), *project_urlpatterns]
