from django.urls import path

from koreplan.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
