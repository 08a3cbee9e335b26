"""Collaboration agreements are set up here; requests are only looked up (the services write them)."""

from django.contrib import admin

from koreplan.coordination.models import CollaborationAgreement, MunicipalRequest, RequestReminder


@admin.register(CollaborationAgreement)
class CollaborationAgreementAdmin(admin.ModelAdmin):
    list_display = ["institution", "municipality", "remind_after_days", "escalate_after_days"]
    list_filter = ["municipality"]
    search_fields = ["institution__name", "municipality__name"]


class ReminderInline(admin.TabularInline):
    model = RequestReminder
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "due_on", "sent_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MunicipalRequest)
class MunicipalRequestAdmin(admin.ModelAdmin):
    list_display = ["kind", "municipality", "sending_organisation", "status", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["municipality__name", "sending_organisation__name"]
    exclude = ["snapshot", "letter"]
    inlines = [ReminderInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
