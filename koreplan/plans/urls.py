"""The plan's pages, under the case's address. Paths are Danish, as users read them."""

from django.urls import path

from koreplan.plans import views

app_name = "plans"

_plan = "sager/<int:case_id>/handleplan/"

urlpatterns = [
    path(_plan, views.plan_detail, name="plan"),
    path(_plan + "v/<int:number>/", views.plan_detail, name="version"),
    path(_plan + "opret/", views.plan_start, name="start"),
    path(_plan + "ny-version/", views.version_create, name="version_create"),
    path(_plan + "indsaettelsessamtale/", views.intake_interview, name="intake_interview"),
    path(_plan + "rediger/beskrivelse/<slug:area_slug>/", views.description_edit, name="description_edit"),
    path(_plan + "rediger/<slug:slug>/", views.section_edit, name="section_edit"),
    path(_plan + "beskrivelse/ny/", views.entry_add, name="entry_add"),
    path(_plan + "indsatsomraade/nyt/", views.area_edit, name="area_new"),
    path(_plan + "indsatsomraade/<str:key>/", views.area_edit, name="area_edit"),
    path(_plan + "indsatsomraade/<str:key>/fjern/", views.area_remove, name="area_remove"),
    path(_plan + "v/<int:number>/faerdig/", views.version_finish, name="version_finish"),
    path(_plan + "v/<int:number>/godkendelse/", views.approval, name="approval"),
    path(_plan + "v/<int:number>/pdf/", views.version_pdf, name="pdf"),
    path(_plan + "opfoelgning/", views.evaluation, name="evaluation"),
    path(_plan + "status/", views.status, name="status"),
    path(_plan + "sammenlign/", views.compare, name="compare"),
    path(_plan + "proeveloesladelse/", views.parole_draft, name="parole_draft"),
]
