"""The evaluations after release, for administrators: read-only, without the comments'
text (they are read, and audited, on the evaluation page)."""

from django.contrib import admin

from koreplan.dashboards.models import ReleaseEvaluation


@admin.register(ReleaseEvaluation)
class ReleaseEvaluationAdmin(admin.ModelAdmin):
    list_display = ["id", "case_id", "organisation", "updated_at"]
    list_filter = ["organisation__kind"]
    fields = ["case", "organisation", "created_at", "created_by", "updated_at", "updated_by"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
