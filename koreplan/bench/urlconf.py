"""The project's URLs with the bench's baseline page: the bench runs with this ROOT_URLCONF,
so it measures the real routes whether or not ``KOREPLAN_BENCH`` mounted the ping."""

from django.urls import include, path

from config.urls import urlpatterns as _project
from koreplan.bench import bench_enabled

urlpatterns = list(_project) if bench_enabled() else [path("bench/", include("koreplan.bench.urls")), *_project]
