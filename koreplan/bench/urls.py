from django.urls import path

from koreplan.bench import views

app_name = "bench"
urlpatterns = [
    path("ping/", views.ping, name="ping"),
    path("layout/", views.layout, name="layout"),
]
