"""An operational overview for administrators: which meetings, readiness items and outcomes
exist, and when. Read-only — the release is written through the services, which complete
the Køreplan's tasks and write the audit log — and without names or notes: reads of
personal data go through the release page, where they are audited."""

from django.contrib import admin

from koreplan.release.models import (
    KifInvolvement,
    Meeting,
    ReadinessItem,
    ReleaseOutcome,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["id", "case_id", "kind", "status", "starts_at", "form", "held_on", "revision"]
    list_filter = ["kind", "status", "form"]
    fields = ["case", "kind", "status", "starts_at", "ends_at", "form", "held_on", "task", "created_at", "updated_at", "revision"]
    readonly_fields = fields


@admin.register(ReadinessItem)
class ReadinessItemAdmin(ReadOnlyAdmin):
    list_display = ["case_id", "item", "status", "responsible_organisation", "updated_at"]
    list_filter = ["item", "status"]
    fields = ["case", "item", "status", "responsible_organisation", "department", "updated_at"]
    readonly_fields = fields


@admin.register(ReleaseOutcome)
class ReleaseOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["case_id", "moment", "recorded_on", "housing", "income_from_day_one", "released_to_street"]
    list_filter = ["moment", "housing", "released_to_street"]
    fields = [
        "case", "moment", "recorded_on", "housing", "income_from_day_one", "employment_or_education", "treatment",
        "released_to_street", "recorded_at",
    ]
    readonly_fields = fields


@admin.register(KifInvolvement)
class KifInvolvementAdmin(ReadOnlyAdmin):
    list_display = ["case_id", "kif", "involved_on", "created_at"]
    fields = ["case", "kif", "officer", "involved_on", "task", "created_at"]
    readonly_fields = fields
