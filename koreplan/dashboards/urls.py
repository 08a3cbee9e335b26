"""The managers' pages under /ledelse/ — paths are Danish, as the users read them."""

from django.urls import path

from koreplan.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("ledelse/", views.dashboard, name="dashboard"),
    path("ledelse/beregn/", views.recompute, name="recompute"),
    path("ledelse/sager/", views.figure_cases, name="cases"),
    path("ledelse/eksport/<slug:table>.<str:fmt>", views.export, name="export"),
    path("ledelse/maalepunkter/", views.survey_report, name="survey"),
    path("ledelse/maalepunkter.pdf", views.survey_pdf, name="survey_pdf"),
    path("ledelse/evalueringer/", views.evaluations_waiting, name="evaluations"),
    path("ledelse/evaluering/<int:case_id>/", views.evaluation, name="evaluation"),
]
