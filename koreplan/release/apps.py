from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleaseConfig(AppConfig):
    name = "koreplan.release"
    verbose_name = _("The release")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The case's access log names the release's actions too.
        from koreplan.cases.templatetags.cases_tags import AUDIT_ACTIONS
        from koreplan.release.audit_actions import AUDIT_ACTIONS as RELEASE_ACTIONS

        AUDIT_ACTIONS.update(RELEASE_ACTIONS)
