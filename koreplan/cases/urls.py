"""The case pages. Paths are Danish, as the users read them in the address bar."""

from django.urls import path

from koreplan.cases import views

app_name = "cases"
urlpatterns = [
    path("opgaver/", views.worklist, name="worklist"),
    path("opgaver/<int:task_id>/udfoer/", views.worklist_task_complete, name="worklist_task_complete"),
    path("sager/", views.case_list, name="case_list"),
    path("sager/ny/", views.case_create, name="case_create"),
    path("sager/<int:case_id>/", views.case_detail, name="case_detail"),
    path("sager/<int:case_id>/oplysninger/", views.case_facts, name="case_facts"),
    path("sager/<int:case_id>/opgaver/<int:task_id>/udfoer/", views.task_complete, name="task_complete"),
    path("sager/<int:case_id>/ansvar/", views.case_responsibility, name="case_responsibility"),
    path("sager/<int:case_id>/overdrag/", views.handover_request, name="handover_request"),
    path("sager/<int:case_id>/handlekommune/", views.client_municipality, name="client_municipality"),
    path(
        "sager/<int:case_id>/overdragelser/<int:handover_id>/traek-tilbage/",
        views.handover_withdraw,
        name="handover_withdraw",
    ),
    path("sager/<int:case_id>/journal/", views.journal_add, name="journal_add"),
    path("overdragelser/", views.handover_list, name="handover_list"),
    path("overdragelser/<int:handover_id>/accepter/", views.handover_accept, name="handover_accept"),
    path("overdragelser/<int:handover_id>/returner/", views.handover_return, name="handover_return"),
]
