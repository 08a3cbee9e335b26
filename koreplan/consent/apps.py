from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "koreplan.consent"
    verbose_name = _("Consent and disclosure")
    default_auto_field = "django.db.models.BigAutoField"
