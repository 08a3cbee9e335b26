from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "koreplan.accounts"
    verbose_name = _("Users")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from koreplan.accounts.middleware import session_clock_start

        user_logged_in.connect(session_clock_start, dispatch_uid="koreplan.accounts.session_clock_start")
