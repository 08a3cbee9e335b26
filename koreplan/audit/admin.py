from django.contrib import admin

from koreplan.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is written by services and never edited by hand."""

    list_display = ["created_at", "action", "actor", "actor_organisation", "case_id", "client_id"]
    list_filter = ["action"]
    search_fields = ["action", "object_type", "object_id", "actor__username"]
    list_select_related = ["actor", "actor_organisation"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
