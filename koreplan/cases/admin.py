"""The admin, for administrators only: look things up, correct master data.

Cases are changed through the case pages, where the services keep tasks, participations
and the audit log in step. Here, tasks, journal entries, hand-overs, stays and
participations are read-only: editing them in the admin would bypass those services (and
their audit entries), so the admin only shows them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from koreplan.cases.models import (
    Case,
    CaseParticipation,
    Client,
    Handover,
    JournalEntry,
    Stay,
    Task,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Show, never change: the services are the only writers of these rows."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class StayInline(ReadOnlyInline):
    model = Stay
    fields = ["organisation", "placement", "started_on", "ended_on", "note"]
    readonly_fields = fields


class ParticipationInline(ReadOnlyInline):
    model = CaseParticipation
    fields = ["organisation", "part", "started_at", "ended_at"]
    readonly_fields = fields
    show_change_link = False


class HandoverInline(ReadOnlyInline):
    model = Handover
    fk_name = "case"
    fields = ["kind", "status", "from_organisation", "to_organisation", "to_user", "requested_at", "answered_at"]
    readonly_fields = fields


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "cpr_display", "acting_municipality"]
    search_fields = ["first_name", "last_name", "cpr"]
    list_select_related = ["acting_municipality"]
    autocomplete_fields = ["acting_municipality"]
    readonly_fields = ["cpr", "birth_date", "created_at"]

    @admin.display(description=_("CPR number"), ordering="cpr")
    def cpr_display(self, obj: Client) -> str:
        return obj.cpr_display

    def has_add_permission(self, request) -> bool:
        # A client is created with its first case (the case page), where the CPR is checked.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["client", "case_type", "status", "holding_organisation", "plan_responsible", "expected_release_on"]
    list_filter = ["status", "case_type", "plan_required", "roadmap_applies"]
    search_fields = ["client__first_name", "client__last_name", "client__cpr"]
    list_select_related = ["client", "holding_organisation", "plan_responsible"]
    date_hierarchy = "opened_at"
    inlines = [ParticipationInline, StayInline, HandoverInline]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title_da", "case", "step", "due_on", "completed_on", "responsible_organisation"]
    list_filter = ["step", "who", "from_timeline"]
    search_fields = ["obligation_id", "title_da", "case__client__last_name", "case__client__cpr"]
    list_select_related = ["case__client", "responsible_organisation"]
    date_hierarchy = "due_on"


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "kind", "case", "author"]
    list_filter = ["kind"]
    search_fields = ["case__client__last_name", "case__client__cpr"]
    list_select_related = ["case__client", "author"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "status", "from_organisation", "to_organisation", "requested_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["case__client", "from_organisation", "to_organisation"]
