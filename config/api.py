"""The REST API: one NinjaAPI, one router per domain app."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from accord.core.api import AccordAPI, ApiParser, ORJSONRenderer, error_response, install_error_handlers
from accord.users.auth import BearerTokenAuth, BrowserSessionAuth

api = AccordAPI(
    title="Accord API",
    version="1",
    description=(
        "The REST API of Accord, the open-source CRM. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `accord token create USERNAME`) or a browser session. Lists are cursor-paginated: "
        'pass `next_cursor` back as `cursor`. Errors answer `{"error": {"code", "message", "fields"}}`. '
        "Records carry a `version` (also the `ETag`); send `If-Match` on update or delete to refuse stale writes. "
        "Send `Idempotency-Key` on a POST to make retrying it safe. Each API token (each user, for a browser "
        "session) has a read and a write rate limit, reported in the `RateLimit-Policy` and `RateLimit` "
        "headers; over it the API answers 429 with `Retry-After`."
    ),
    auth=[BearerTokenAuth(), BrowserSessionAuth()],
    renderer=ORJSONRenderer(),
    parser=ApiParser(),
    urls_namespace="api",
)
install_error_handlers(api)

from accord.customers.api import companies, contacts  # noqa: E402

api.add_router("/companies", companies)
api.add_router("/contacts", contacts)

from accord.core.audit_api import audit_router  # noqa: E402
from accord.core.metadata_api import custom_fields_router, tags_router  # noqa: E402
from accord.users.api import router as users_router  # noqa: E402
from accord.users.api import users  # noqa: E402

api.add_router("", users_router)
api.add_router("/users", users)
api.add_router("/audit", audit_router)

from accord.users.access_api import roles, sharing, teams  # noqa: E402

api.add_router("/roles", roles)
api.add_router("/teams", teams)
api.add_router("", sharing)
api.add_router("/custom-fields", custom_fields_router)
api.add_router("/tags", tags_router)


@api.get(
    "/ping", tags=["Service"], operation_id="ping", summary="Authenticated no-op (the benchmarks' baseline)"
)
def ping(request: HttpRequest) -> dict[str, bool]:
    return {"ok": True}


@csrf_exempt  # as the API's own views: a PATCH to a wrong URL is a 404, not a CSRF failure
def unknown_path(request: HttpRequest) -> HttpResponse:
    """Any URL under /api/ that no operation matches, such as ``/deals/abc`` or ``/deals/-1`` (ids are
    matched by an integer converter): the API's error shape in JSON rather than Django's HTML page."""
    return error_response(
        api, request, status=404, code="not_found", message=f"No API operation at {request.path}."
    )


@api.get("/health", auth=None, tags=["Service"], operation_id="health", summary="Liveness and database check")
def health(request: HttpRequest) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}


from accord.activities.api import interactions, tasks, timelines  # noqa: E402
from accord.core.search_api import search_router  # noqa: E402

api.add_router("/interactions", interactions)
api.add_router("/tasks", tasks)
api.add_router("", timelines)
api.add_router("/search", search_router)

from accord.sales.api import deals, leads, orders, pipelines, products, stages  # noqa: E402

api.add_router("/leads", leads)
api.add_router("/pipelines", pipelines)
api.add_router("/stages", stages)
api.add_router("/deals", deals)
api.add_router("/products", products)
api.add_router("/orders", orders)

from accord.jobs.api import jobs  # noqa: E402

api.add_router("/jobs", jobs)

from accord.dedupe.api import router as dedupe_router  # noqa: E402

api.add_router("", dedupe_router)

from accord.analytics.api import analytics, contact_scores  # noqa: E402
from accord.analytics.forecast_api import forecast_router  # noqa: E402

api.add_router("/analytics", analytics)
api.add_router("", contact_scores)
api.add_router("", forecast_router)
