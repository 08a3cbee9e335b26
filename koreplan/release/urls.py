"""The release pages, under the case's address. Paths are Danish, as users read them."""

from django.urls import path

from koreplan.release import views

app_name = "release"

_release = "sager/<int:case_id>/loesladelse/"
_meeting = _release + "moeder/<int:meeting_id>/"

urlpatterns = [
    path(_release, views.release_detail, name="release"),
    path(_release + "parathed/<slug:item>/", views.readiness_update, name="readiness_update"),
    path(_release + "moeder/ny/<slug:kind>/", views.meeting_new, name="meeting_new"),
    path(_meeting, views.meeting_edit, name="meeting_edit"),
    path(_meeting + "afholdt/", views.meeting_held, name="meeting_held"),
    path(_meeting + "aflys/", views.meeting_cancel, name="meeting_cancel"),
    path(_meeting + "invitation.ics", views.meeting_ics, name="meeting_ics"),
    path(_meeting + "aftaler/", views.agreement_add, name="agreement_add"),
    path(_meeting + "aftaler/<int:agreement_id>/slet/", views.agreement_remove, name="agreement_remove"),
    path(_meeting + "dagsorden/", views.agenda_update, name="agenda_update"),
    path(_release + "udfald/<slug:moment>/", views.outcome, name="outcome"),
    path(_release + "kif/", views.kif_involve, name="kif_involve"),
]
