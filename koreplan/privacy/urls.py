from django.urls import path

from koreplan.privacy import views

app_name = "privacy"

urlpatterns = [
    path("persondata/", views.person_search, name="person_search"),
    path("persondata/<int:client_id>/", views.person_log, name="person_log"),
    path("persondata/<int:client_id>/logning.<str:fmt>", views.person_log_export, name="person_log_export"),
    path("persondata/<int:client_id>/indsigt.<str:fmt>", views.subject_access_export, name="subject_access_export"),
]
