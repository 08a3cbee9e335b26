"""The JSON API (/api/v1) for integration with other systems.

Every operation calls a selector (reads) or a service (writes), as the web views do, and
is open to the same people: a bearer token (``manage.py api_token_create``) or the
browser's session. The OpenAPI schema is at /api/v1/openapi.json, its docs at
/api/v1/docs.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from ninja import NinjaAPI
from ninja.errors import ValidationError

from koreplan.api import cases, organisations, tasks
from koreplan.api.auth import auth_methods
from koreplan.api.errors import install_exception_handlers
from koreplan.consent.api import router as consent_router
from koreplan.coordination.api import router as coordination_router
from koreplan.dashboards.api import router as dashboards_router
from koreplan.plans.api import router as plans_router
from koreplan.release.api import build_router as build_release_router

DESCRIPTION = """\
Køreplan's cases, their roadmap (timeline) and tasks, for other systems.

**Authentication**: `Authorization: Bearer <token>` with a token an administrator made with
`manage.py api_token_create USERNAME NAME`, or the session of someone logged in to
Køreplan (with the CSRF token, `X-CSRFToken`, on anything but GET).

**Access** is the web application's: a case you may not see answers 404, whether or not
it exists. Every read of a case is written to the audit log.

**Errors** a client can fix are 422 with `{"detail": [{"loc": ["body", "<field>"], "msg":
"…", "type": "…"}]}`, whether the request did not fit the schema or broke a rule (a
release before the intake, a task completed in the future). 409 means the case changed
since you read it.
"""


class KoreplanAPI(NinjaAPI):
    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            # Outside LoginRequiredMiddleware's redirect to the login page: every operation
            # authenticates itself (401), and the schema and docs hold no personal data.
            login_not_required(pattern.callback)
        return patterns, app_name, namespace

    def get_openapi_operation_id(self, operation) -> str:
        # The view's name (case_detail, task_complete …): unique here, and what a
        # generated client calls the method.
        return operation.view_func.__name__

    def validation_error_from_error_contexts(self, error_contexts):
        """Ninja's errors without the view's parameter name: ``["body", "cpr"]`` rather
        than ``["body", "payload", "cpr"]``, the place a service's error on the same
        field is reported, so a client reads one ``loc`` for a field."""
        errors = []
        for context in error_contexts:
            single = getattr(context.model, "__read_from_single_attr__", None)
            for error in super().validation_error_from_error_contexts([context]).errors:
                loc = list(error["loc"])
                if single and loc[:2] == ["body", single]:
                    loc = ["body", *loc[2:]]
                errors.append({**error, "loc": loc})
        return ValidationError(errors)


api = KoreplanAPI(
    title="Køreplan API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=auth_methods(),
)
install_exception_handlers(api)
api.add_router("/", cases.router)
api.add_router("/", tasks.router)
api.add_router("/", organisations.router)
api.add_router("/", plans_router)
api.add_router("/", build_release_router())
api.add_router("/", consent_router)
api.add_router("/", coordination_router)
api.add_router("/", dashboards_router)
