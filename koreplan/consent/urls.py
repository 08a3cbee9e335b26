"""The consent pages, under the case's address. Paths are Danish, as users read them."""

from django.urls import path

from koreplan.consent import views

app_name = "consent"

_consent = "sager/<int:case_id>/samtykke/"

urlpatterns = [
    path(_consent, views.consent_list, name="list"),
    path(_consent + "nyt/", views.consent_create, name="create"),
    path(_consent + "afslag/", views.consent_refuse, name="refuse"),
    path(_consent + "blanket/", views.consent_form_print, name="print"),
    path(_consent + "blanket.pdf", views.consent_form_print, {"pdf": True}, name="print_pdf"),
    path(_consent + "<int:consent_id>/tilbagekald/", views.consent_withdraw, name="withdraw"),
    path(_consent + "<int:consent_id>/underskrevet/", views.consent_signed_copy, name="signed_copy"),
    path("sager/<int:case_id>/videregivelser/<int:disclosure_id>/godkendelse/", views.disclosure_decide, name="disclosure_decide"),
]
