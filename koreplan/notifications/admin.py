"""The outbox and notifications in the admin: to look at, not to edit. Rows are written
by the services only; the one action, retrying a failed e-mail, goes through a service."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from koreplan.notifications import services
from koreplan.notifications.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "to_address", "subject", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_address", "dedupe_key"]
    date_hierarchy = "created_at"
    actions = ["retry"]

    @admin.action(description=_("Send the failed e-mails again"), permissions=["view"])
    def retry(self, request, queryset):
        count = 0
        for message in queryset.filter(status=OutboxMessage.Status.FAILED):
            services.outbox_retry(actor=request.user, message=message, request=request)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d e-mail will be sent again.", "%(count)d e-mails will be sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "recipient", "kind", "subject", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "email"]
    list_filter = ["kind", "email"]
