"""The notification pages. Paths are Danish, as the users read them in the address bar."""

from django.urls import path

from koreplan.notifications import views

app_name = "notifications"
urlpatterns = [
    path("meddelelser/", views.notification_list, name="list"),
    path("meddelelser/<int:notification_id>/", views.notification_open, name="open"),
    path("meddelelser/<int:notification_id>/laest/", views.notification_read, name="read"),
    path("meddelelser/alle-laest/", views.notification_read_all, name="read_all"),
    path("meddelelser/indstillinger/", views.preferences, name="preferences"),
]
