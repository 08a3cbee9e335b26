from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from koreplan.accounts import views as accounts_views
from koreplan.accounts.urls import oidc_urlpatterns
from koreplan.api.api import api
from koreplan.bench import bench_enabled

admin.site.site_header = _("Køreplan administration")
admin.site.site_title = _("Køreplan administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    # Choosing a language must work on the login page, before anyone has logged in.
    # … and on the page that asks for the one-time code.
    path("i18n/setlang/", accounts_views.second_factor_exempt(login_not_required(set_language)), name="set_language"),
    path("login/", accounts_views.login, name="login"),
    path("logout/", accounts_views.logout, name="logout"),
    path("oidc/", include(oidc_urlpatterns)),
    path("", include("koreplan.accounts.urls")),
    path("api/v1/", api.urls),
    path("", include("koreplan.cases.urls")),
    path("", include("koreplan.plans.urls")),
    path("", include("koreplan.notifications.urls")),
    path("", include("koreplan.dashboards.urls")),
    path("", include("koreplan.release.urls")),
    path("", include("koreplan.consent.urls")),
    path("", include("koreplan.coordination.urls")),
    path("", include("koreplan.privacy.urls")),
    path("", include("koreplan.web.urls")),
]

if bench_enabled():
    # The bench's baseline page (make bench); never mounted unless KOREPLAN_BENCH is set.
    urlpatterns.append(path("bench/", include("koreplan.bench.urls")))
