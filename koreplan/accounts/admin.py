from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from koreplan.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    list_select_related = ["organisation"]
    # Plain selects rather than Django's select2 autocomplete and filter widgets, and the
    # login times read-only rather than unlabelled date and time inputs: as Django renders
    # those, an empty autocomplete, the filter boxes' help icons and the split date-time
    # inputs have no accessible name, and this is the form administrators open most.
    filter_horizontal = ()
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Work"), {"fields": ["organisation", "role", "department"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Work"), {"fields": ["organisation", "role", "department"]}),
    ]
