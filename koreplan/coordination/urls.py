"""Notices and requests under the case's address, and the municipality's inbox. Danish paths."""

from django.urls import path

from koreplan.coordination import views

app_name = "coordination"

_requests = "sager/<int:case_id>/kommune/"

urlpatterns = [
    path(_requests + "ny/<slug:kind_slug>/", views.request_new, name="request_new"),
    path(_requests + "<int:request_id>/", views.request_detail, name="request_detail"),
    path(_requests + "<int:request_id>/godkendelse/", views.request_approve, name="request_approve"),
    path("indbakke/", views.inbox, name="inbox"),
    path("indbakke/<int:request_id>/", views.inbox_detail, name="inbox_detail"),
    path("indbakke/<int:request_id>/fordel/", views.inbox_route, name="inbox_route"),
    path("indbakke/<int:request_id>/returner/", views.inbox_return, name="inbox_return"),
]
