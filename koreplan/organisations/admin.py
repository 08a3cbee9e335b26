from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from koreplan.organisations.models import (
    Entrance,
    MunicipalDepartment,
    Organisation,
    Region,
    RegionMembership,
)


class RegionMembershipInline(admin.TabularInline):
    model = RegionMembership
    extra = 0


class MunicipalDepartmentInline(admin.TabularInline):
    model = MunicipalDepartment
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "institution_type", "code", "located_in"]
    list_filter = ["kind", "institution_type"]
    search_fields = ["name", "code"]
    list_select_related = ["located_in"]
    autocomplete_fields = ["located_in"]

    def get_inlines(self, request, obj):
        # Regions and departments belong to municipalities only.
        if obj is not None and obj.kind == Organisation.Kind.MUNICIPALITY:
            return [RegionMembershipInline, MunicipalDepartmentInline]
        return []


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "code_assumed", "valid_from", "valid_to"]


@admin.register(RegionMembership)
class RegionMembershipAdmin(admin.ModelAdmin):
    list_display = ["municipality", "region", "valid_from", "valid_to"]
    list_filter = ["region"]
    search_fields = ["municipality__name", "municipality__code"]
    list_select_related = ["municipality", "region"]
    autocomplete_fields = ["municipality"]


@admin.register(MunicipalDepartment)
class MunicipalDepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality"]
    list_filter = ["kind"]
    search_fields = ["name", "municipality__name"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]


@admin.register(Entrance)
class EntranceAdmin(admin.ModelAdmin):
    list_display = ["municipality", "department", "secure_email", "contact_person", "demo"]
    list_filter = ["is_demo_data"]
    search_fields = ["municipality__name", "secure_email", "contact_person"]
    list_select_related = ["municipality", "department"]
    autocomplete_fields = ["municipality"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # Offer only the municipality's own departments.
            form.base_fields["department"].queryset = obj.municipality.departments.all()
        return form

    @admin.display(description=_("demo data"), ordering="is_demo_data")
    def demo(self, obj: Entrance) -> str:
        # Said in words, not as a tick: a placeholder address must not pass for a real one.
        return _("DEMO DATA: replace") if obj.is_demo_data else ""
