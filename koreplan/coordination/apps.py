from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "koreplan.coordination"
    verbose_name = _("Coordination with the municipality")
    default_auto_field = "django.db.models.BigAutoField"
