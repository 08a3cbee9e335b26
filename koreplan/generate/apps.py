from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GenerateConfig(AppConfig):
    name = "koreplan.generate"
    label = "generate"
    verbose_name = _("Generated data")
