"""API plumbing shared by every router: JSON rendering, the single error shape, versions and ETags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import BaseRenderer

from accord.core import idempotency, ratelimit
from accord.core.errors import AccordError, PreconditionFailed
from accord.core.schemas import NUL_MESSAGE, contains_nul

IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    # 1 to 255 printable ASCII characters, bare or as a structured-field string ("…" with \" and \\).
    "schema": {"type": "string", "pattern": idempotency.KEY_PATTERN},
    "description": (
        "Makes a retry safe: a request repeated with the same key returns the first response "
        f"(with `{idempotency.REPLAYED_HEADER}: true`) instead of running again. Keys belong to the "
        "signed-in user and are kept for 24 hours by default; the same key with another body answers 422, and "
        "while the first request runs, 409."
    ),
}


class ORJSONRenderer(BaseRenderer):
    """orjson writes datetimes as ISO 8601 with their offset; decimals (money) become strings."""

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=str)


class AccordAPI(NinjaAPI):
    """The NinjaAPI with Accord's request guards on every operation, documented in its schema.

    Rate limits are checked on authentication (accord.users.auth); ``ratelimit.with_headers`` reports
    them on every response. Every POST takes an Idempotency-Key (accord.core.idempotency): the claim
    happens in operation mode, after authentication and validation, and ``settle`` in view mode sees
    the final response. ninja applies decorators added here to every router mounted on the API.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_decorator(idempotency.claim_or_replay, mode="operation")
        self.add_decorator(idempotency.settle, mode="view")
        self.add_decorator(ratelimit.with_headers, mode="view")

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for path_item in schema["paths"].values():
            if "post" in path_item:
                path_item["post"].setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
        return schema


class ApiParser(Parser):
    """Query strings with a NUL character answer 422 naming the parameter, as bodies do (see
    ``InputSchema``): PostgreSQL cannot compare text with one, and would fail with a 500."""

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        location = "query" if data is request.GET else "form"
        refused = sorted(key for key, values in data.lists() if contains_nul([key, *values]))
        if refused:
            raise ValidationError(
                [{"loc": (location, key), "msg": NUL_MESSAGE, "type": "string_nul"} for key in refused]
            )
        return super().parse_querydict(data, list_fields, request)


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    fields: dict | None = None,
    extra: Mapping[str, Any] | None = None,
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}, **(extra or {})}}
    return api.create_response(request, body, status=status)


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'payload', 'emails', 0, 'address') -> 'emails.0.address'."""
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    if parts and parts[0] in {"payload", "filters"} and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _pydantic_message(error: dict[str, Any]) -> str:
    if error.get("type") == "extra_forbidden":
        return "Unknown field: it is not part of this resource or cannot be set by clients."
    if error.get("type") == "missing":
        return "This field is required."
    return str(error.get("msg", "Invalid value."))


def install_error_handlers(api: NinjaAPI) -> None:
    """Every failure answers ``{"error": {"code", "message", "fields"}}`` with the right status."""

    @api.exception_handler(AccordError)
    def accord_error(request: HttpRequest, exc: AccordError) -> HttpResponse:
        response = error_response(
            api,
            request,
            status=exc.status,
            code=exc.code,
            message=exc.message,
            fields=exc.fields,
            extra=exc.extra,
        )
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(_pydantic_message(error))
        if any(error.get("type") == "json_invalid" for error in exc.errors):
            return error_response(
                api, request, status=400, code="malformed_json", message="The body is not valid JSON."
            )
        return error_response(
            api,
            request,
            status=422,
            code="validation_error",
            message="Some fields are invalid.",
            fields=fields,
        )

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages}
        return error_response(
            api,
            request,
            status=422,
            code="validation_error",
            message="Some fields are invalid.",
            fields=fields,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api,
            request,
            status=401,
            code="not_authenticated",
            message="Sign in, or send an API token as 'Authorization: Bearer <token>'.",
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(api, request, status=413, code="request_too_large", message=str(exc))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = "malformed_json" if exc.status_code == 400 else "http_error"
        return error_response(api, request, status=exc.status_code, code=code, message=str(exc))


def expected_version(request: HttpRequest) -> int | None:
    """The version a client says it read, from ``If-Match: "3"`` (or W/"3"); None when absent."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise PreconditionFailed('If-Match must carry the ETag of the record, e.g. "3".')
    return int(tag)


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'
