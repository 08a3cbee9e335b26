"""Consents and disclosures in the admin: to look up, never to change.

They are written by the services only, each with its audit entry; editing one here would
rewrite what a client agreed to, or what left the organisation, without a trace.
"""

from django.contrib import admin

from koreplan.consent.models import Consent, Disclosure


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(_ReadOnly):
    list_display = ["client", "decision", "recipient_organisation", "recipient_department", "given_on", "valid_until", "withdrawn_on"]
    list_filter = ["decision", "recipient_department"]
    search_fields = ["client__last_name", "client__first_name", "client__cpr"]
    exclude = ["signed_copy"]
    raw_id_fields = ["client", "case"]


@admin.register(Disclosure)
class DisclosureAdmin(_ReadOnly):
    list_display = ["summary", "client", "recipient_organisation", "purpose", "outcome", "status", "proposed_at"]
    list_filter = ["status", "outcome", "purpose"]
    search_fields = ["client__last_name", "client__first_name", "client__cpr"]
    raw_id_fields = ["client", "case"]
