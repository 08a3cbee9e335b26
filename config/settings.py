"""Køreplan settings: one file, configured from the environment.

Every value a deployment may need to change is read from an environment variable with a
default that suits a developer's laptop: SQLite in var/, e-mail to the console. A
production deployment sets at least DEBUG=False, SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL; with DEBUG off the security settings default to secure (HTTPS only, HSTS,
secure cookies). docs/operations.md, "Security settings", says what to set.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# On by default so that a fresh checkout runs and tests with no configuration; a deployment
# turns it off, and then a real SECRET_KEY is required (below).
DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-koreplan-development-only"

# Django accepts localhost while DEBUG is on, and the test client's "testserver" always.
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# The project's own apps. Other apps append themselves here, after these, so that the
# foundation (users, organisations, audit) migrates first.
KOREPLAN_APPS = [
    "koreplan.accounts",
    "koreplan.organisations",
    "koreplan.audit",
    "koreplan.web",
    "koreplan.cases",
    "koreplan.plans",
    "koreplan.api",
    "koreplan.release",
    "koreplan.notifications",
    "koreplan.dashboards",
    "koreplan.consent",
    "koreplan.coordination",
    "koreplan.generate",
    "koreplan.privacy",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so that runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "mozilla_django_oidc",
    *KOREPLAN_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "koreplan.web.middleware.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "koreplan.web.middleware.DanishByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session gave a one-time code.
    "django_otp.middleware.OTPMiddleware",
    # Every page shows personal data: a view is closed unless marked @login_not_required.
    # WhiteNoise answers static files before this middleware is reached.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages, so that the login page can say why the session ended.
    "koreplan.accounts.middleware.SessionTimeoutMiddleware",
    # No page, and no session-authenticated API call, without the second factor where it
    # is required or set up (koreplan/accounts/middleware.py).
    "koreplan.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "koreplan.web.context_processors.navigation",
                "koreplan.notifications.context_processors.unread_notifications",
            ],
            # {% partialdef %} and {% partial %} in every template without a {% load %},
            # as they will be once Django 6 has them built in.
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# Django's form renderer, with the common widgets written without their templates (koreplan/web/forms.py).
FORM_RENDERER = "koreplan.web.forms.Renderer"

# --- Database ----------------------------------------------------------------

if "DATABASE_URL" not in os.environ:
    (BASE_DIR / "var").mkdir(exist_ok=True)

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'koreplan.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes SQLite's write lock when a transaction starts, so concurrent writers
    # queue (up to the timeout) instead of failing half-way with "database is locked"; it
    # also keeps the audit hash chain linear. Write-ahead logging lets pages read while a
    # task worker writes, and with synchronous=NORMAL a commit (every page writes its audit
    # entry) no longer waits for the disk: a crash of the process loses nothing, a power
    # cut at most the last moments' commits (the SQLite documentation's recommendation for
    # WAL; production runs PostgreSQL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

# The managers' dashboards read from a replica when DASHBOARD_DATABASE_URL names one.
if os.environ.get("DASHBOARD_DATABASE_URL"):
    DATABASES["dashboard"] = {**dj_database_url.parse(os.environ["DASHBOARD_DATABASE_URL"]), "TEST": {"MIRROR": "default"}}
DASHBOARD_DB_ALIAS = "dashboard" if "dashboard" in DATABASES else "default"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploaded files (signed consent forms): never served directly, only by an access-checked view.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))

# --- Authentication ----------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Used by the admin's forms, the password change page and `manage.py changepassword`.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "koreplan.accounts.backends.UserWithOrganisationBackend",
]

# Lock-out after repeated failed logins (django-axes). Username and address together, so
# that one person guessing cannot lock a colleague out from another machine, and one
# machine guessing many usernames is locked out per username. The address is REMOTE_ADDR,
# as in the audit log: a proxy in front must pass the client's address on (e.g. gunicorn's
# --forwarded-allow-ips with the proxy setting it), or all clients share the proxy's.
AXES_ENABLED = envbool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "koreplan.accounts.views.login_locked_out"
# Not its start-up banner on every management command's log; lock-outs are still logged.
AXES_VERBOSE = False

# The one-time code (django-otp): the name an authenticator app shows for the account.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Køreplan")

# OpenID Connect (mozilla-django-oidc), e.g. the broker through which an authority offers
# MitID Erhverv. On only when a client id is configured; see README.md and
# docs/authentication.md. An account is never made from a login: it needs an organisation
# and a role, so a person is matched to an existing account by one claim.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    _missing = [
        name
        for name in ("OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT")
        if not os.environ.get(name)
    ]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set, so {', '.join(_missing)} must be set too.")
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT") or None
    OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email")
    OIDC_USE_PKCE = envbool("OIDC_USE_PKCE", True)
    AUTHENTICATION_BACKENDS.append("koreplan.accounts.oidc.KoreplanOIDCBackend")
OIDC_CREATE_USER = False
# The claim that names the person, and the account field it must equal (email or username).
OIDC_MATCH_CLAIM = os.environ.get("OIDC_MATCH_CLAIM", "email")
OIDC_MATCH_FIELD = os.environ.get("OIDC_MATCH_FIELD", "email")
if OIDC_MATCH_FIELD not in {"email", "username"}:
    raise ImproperlyConfigured("OIDC_MATCH_FIELD must be 'email' or 'username'.")
OIDC_CALLBACK_CLASS = "koreplan.accounts.oidc.KoreplanOIDCCallbackView"
LOGIN_REDIRECT_URL_FAILURE = "/login/"

# Case files are open on shared office machines: a session ends with the browser, after
# SESSION_IDLE_TIMEOUT seconds without a request (default 30 minutes), and after
# SESSION_COOKIE_AGE seconds (a working day) at most, however active.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 10 * 60 * 60)
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", 30 * 60)

# Rendered case pages are kept in each web process's memory, per viewer, until the case
# changes (koreplan.web.page_cache): criminal-offence data stays in the process that read
# it. KOREPLAN_PAGE_CACHE_SECONDS bounds how long a change no service records (a name
# changed in the admin) takes to show; 0 turns keeping off, as it is while DEBUG is on.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "koreplan-default"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "koreplan-pages",
        "OPTIONS": {"MAX_ENTRIES": envint("KOREPLAN_PAGE_CACHE_ENTRIES", 1000)},
    },
}
# Production's (DEBUG off) default; also what the tests and the bench keep pages for.
KOREPLAN_PAGE_CACHE_SECONDS_DEFAULT = 5 * 60
KOREPLAN_PAGE_CACHE_SECONDS = envint("KOREPLAN_PAGE_CACHE_SECONDS", 0 if DEBUG else KOREPLAN_PAGE_CACHE_SECONDS_DEFAULT)

# --- Security (HTTPS, headers, uploads) --------------------------------------
#
# Secure by default whenever DEBUG is off; docs/operations.md ("Security settings") says
# what a deployment sets and how it runs behind a TLS-terminating load balancer.
# `manage.py check --deploy --fail-level WARNING` is clean with those settings
# (tests/security/test_deploy.py).

if not DEBUG and not ALLOWED_HOSTS:
    # Django would otherwise answer every request with 400 and say nothing at start-up.
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Plain HTTP is redirected to HTTPS. Behind a load balancer that terminates TLS, keep this
# on and set SECURE_PROXY_SSL_HEADER=True (the balancer must then overwrite, never pass on,
# X-Forwarded-Proto); turn it off only where the balancer itself refuses or redirects HTTP.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer's health check may come over plain HTTP to the instance: list its paths
# (regular expressions without the leading slash) rather than turning the redirect off.
SECURE_REDIRECT_EXEMPT = envlist("SECURE_REDIRECT_EXEMPT")

# HSTS for a year once DEBUG is off: the browser then refuses plain HTTP to this host.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload directive only asks; nothing is preloaded until someone submits the domain.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)

SECURE_CONTENT_TYPE_NOSNIFF = True
# Case pages' addresses hold case numbers: never send them to another site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Features no page uses, switched off for the page and anything it might embed.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)"

# Content Security Policy (django-csp 4): scripts and styles only from our own files —
# no inline script, no style attribute, no eval — so injected markup cannot run.
# base.html turns off htmx's injected indicator <style> and its eval (htmx-config meta),
# and tests/security/test_csp.py keeps inline scripts, handlers and styles out of templates.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # A login broker (OpenID Connect) that a form posts or redirects to is added here.
        "form-action": [SELF, *envlist("CSP_FORM_ACTION")],
        "frame-ancestors": [NONE],
    },
}

# Uploads (signed consent copies; koreplan/consent/uploads.py checks type and size). A request
# body that is not a file is at most 2.5 MB (Django's default, stated); a file larger than
# the in-memory limit is spooled to a temporary file rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# --- Language and time -------------------------------------------------------

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True

# --- Static files ------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
if DEBUG:
    # WhiteNoise serves from the finders while DEBUG is on, but warns on every start when
    # this directory (which collectstatic fills for production) is missing.
    STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files need `collectstatic`; tests and development render
    # straight from static/ instead.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "koreplan@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The address users reach Køreplan at, for the links in e-mail (notifications).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

# --- Privacy and retention (docs/privacy.md) ---------------------------------

# Personal data in audit entries older than this is pseudonymised, never deleted.
AUDIT_RETENTION_YEARS = envint("AUDIT_RETENTION_YEARS", 5)
# The key of the audit pseudonyms; keep it apart from the database. Empty: derived from SECRET_KEY.
AUDIT_PSEUDONYM_KEY = os.environ.get("AUDIT_PSEUDONYM_KEY", "")
# A closed case's personal data is anonymised (or deleted) this long after it was closed.
CLOSED_CASE_RETENTION_YEARS = envint("CLOSED_CASE_RETENTION_YEARS", 5)
CLOSED_CASE_RETENTION_MODE = os.environ.get("CLOSED_CASE_RETENTION_MODE", "anonymise")
if CLOSED_CASE_RETENTION_MODE not in {"anonymise", "delete"}:
    raise ImproperlyConfigured("CLOSED_CASE_RETENTION_MODE must be 'anonymise' or 'delete'.")

# --- Background tasks --------------------------------------------------------

# Tasks are rows in the database and `manage.py task_worker` runs them: no broker to operate.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A task still "running" this long after a worker started it is taken to have lost its
# worker (killed, machine gone): `manage.py recover_stale_tasks` (run by schedule_nightly)
# marks it failed so that it is retried. Well above the longest task: the nightly
# recalculation takes some 5 minutes and the dashboards' precomputation some 4.
TASK_RUNNING_LIMIT_MINUTES = envint("TASK_RUNNING_LIMIT_MINUTES", 60)

# --- Messages ----------------------------------------------------------------

# DKFDS alerts come in info, success, warning and error; debug messages show as info.
MESSAGE_TAGS = {message_constants.DEBUG: "info"}

# --- Logging -----------------------------------------------------------------

# Everything to stderr, where gunicorn, systemd or the container collects it. Django's
# default logs a server error only while DEBUG is on (and mails ADMINS otherwise): in
# production a 500's traceback must land in the log too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
}
