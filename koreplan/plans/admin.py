"""An operational overview for administrators: which plans and versions exist, their
dates and approval. Read-only — plans are written through the services, which check the
locks and write the audit log — and without the plan's text: reads of personal data go
through the plan pages, where they are audited."""

from django.contrib import admin

from koreplan.plans.models import ActionPlan, PlanVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyAdmin):
    list_display = ["id", "case_id", "created_at"]
    fields = ["case", "created_at", "created_by"]
    readonly_fields = fields


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["plan_id", "number", "began_on", "created_at", "last_adjusted_at", "approval_status", "finished_on"]
    list_filter = ["approval_status"]
    fields = [
        "plan", "number", "began_on", "created_at", "created_by", "last_adjusted_at", "last_adjusted_by",
        "finished_on", "approval_status", "approval_requested_at", "approval_decided_at", "revision",
    ]
    readonly_fields = fields
