"""``Idempotency-Key`` on POST (draft-ietf-httpapi-idempotency-key-header): a retried request gets the
first response again instead of creating a second record.

Two ninja decorators, installed once on the whole API (config/api.py), so every POST has it:

- ``claim_or_replay`` (operation mode) runs after authentication and input validation, right before the
  endpoint: it claims the user's key (a row committed under a unique constraint before the operation
  runs), or answers with the stored response of an identical earlier request, or refuses (409 while the
  first request still runs, 422 when the key came with another request).
- ``settle`` (view mode) wraps the whole request and sees the final response, error handlers included:
  it stores a response below 500 on the claim, and releases the claim on a 5xx or an exception so that
  a retry can run.

A crash between the operation's commit and the storing of its response leaves a claim without a
response: retries answer 409 until ``ACCORD_IDEMPOTENCY_ABANDONED_AFTER`` has passed, and then run again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from accord.core.errors import AccordError, Conflict
from accord.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("ETag", "Location")
MAX_KEY_LENGTH = 255
CLAIM_ATTRIBUTE = "idempotency_claim"
# The header is a Structured Field string ("…", with \" and \\ escapes); a bare key is accepted too.
_SF_STRING = re.compile(r'"((?:[^"\\]|\\["\\])*)"')
# The same rule as ``parse_key``, for the OpenAPI schema: a bare key, or a quoted one.
KEY_PATTERN = r'^([ !#-~][ -~]{0,254}|"([ !#-\[\]-~]|\\["\\]){1,255}")$'

_CLAIM = (
    f'INSERT INTO {IdempotencyKey._meta.db_table} (user_id, "key", request_fingerprint, claimed_at, '
    "response_body, response_content_type, response_headers) VALUES (%s, %s, %s, %s, %s, '', %s) "
    'ON CONFLICT (user_id, "key") DO NOTHING RETURNING id'
)

# Tests replace it to travel in time.
now: Callable[[], dt.datetime] = timezone.now


class KeyReused(AccordError):
    status = 422
    code = "idempotency_key_reused"


class KeyInUse(Conflict):
    code = "idempotency_key_in_use"


def parse_key(value: str) -> str:
    """The key of ``Idempotency-Key: "abc"`` (or a bare ``abc``): 1 to 255 printable ASCII characters."""
    quoted = _SF_STRING.fullmatch(value)
    key = re.sub(r"\\(.)", r"\1", quoted.group(1)) if quoted else value
    well_formed = quoted is not None or not value.startswith('"')
    if not (well_formed and 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
        raise AccordError(
            f"The {HEADER} header is malformed.",
            fields={HEADER: [f"Send 1 to {MAX_KEY_LENGTH} printable ASCII characters, e.g. a UUID."]},
        )
    return key


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests "the same" for one key: method, path with query, and body."""
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def claim(*, user_id: int, key: str, request_fingerprint: str) -> int | HttpResponse:
    """The id of a fresh claim on the key, or the stored response of the same earlier request.

    Raises KeyReused when the key came with another request, KeyInUse while its request still runs.
    """
    moment = now()
    for _ in range(3):  # a row that vanishes between the insert and the read is claimed again
        with transaction.atomic(savepoint=False):
            # Opportunistic expiry, so the table holds about one TTL's worth of keys without a cron job.
            delete_expired(moment)
            claim_id = _insert_claim(user_id, key, request_fingerprint, moment)
        if claim_id is not None:
            return claim_id
        existing = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
        if existing is None:
            continue
        if existing.request_fingerprint != request_fingerprint:
            raise KeyReused(
                f"This {HEADER} was already used with another request.",
                fields={HEADER: ["Use a new key for a new request; reuse a key only to retry the same one."]},
            )
        if existing.response_status is not None:
            return replay(existing)
        abandoned_before = moment - dt.timedelta(seconds=settings.ACCORD_IDEMPOTENCY_ABANDONED_AFTER)
        # Taking over an abandoned claim is a compare-and-set, so only one retry wins it.
        if existing.claimed_at < abandoned_before and IdempotencyKey.objects.filter(
            pk=existing.pk, claimed_at=existing.claimed_at, response_status__isnull=True
        ).update(claimed_at=moment):
            return existing.pk
        break
    raise KeyInUse(
        f"A request with this {HEADER} is still being processed.",
        fields={HEADER: ["Retry once the first request has finished."]},
    )


def delete_expired(moment: dt.datetime) -> int:
    """Delete the keys claimed more than ``ACCORD_IDEMPOTENCY_KEY_TTL`` before ``moment`` (also run by the
    nightly ``jobs.prune``, for when no key was claimed for a while); how many were deleted."""
    expired = IdempotencyKey.objects.filter(
        claimed_at__lt=moment - dt.timedelta(seconds=settings.ACCORD_IDEMPOTENCY_KEY_TTL)
    )
    return expired.delete()[0]


def _insert_claim(user_id: int, key: str, request_fingerprint: str, moment: dt.datetime) -> int | None:
    """The new claim's id, or None when the user already holds the key.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (SQLite and PostgreSQL alike) rather than the ORM's
    create(): a conflict is an answer, not an exception, so no savepoint is needed around it; measured
    with benchmarks/guards.py, a keyed POST on PostgreSQL costs two round trips fewer.
    """
    operations = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM,
            [
                user_id,
                key,
                request_fingerprint,
                operations.adapt_datetimefield_value(moment),
                b"",
                operations.adapt_json_value({}, None),
            ],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def replay(stored: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(stored.response_body), status=stored.response_status, content_type=stored.response_content_type
    )
    for name, value in stored.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


# Responses holding a secret say so with this Cache-Control directive (which also keeps them out of caches).
SECRET_RESPONSE = "no-store"
SECRET_NOT_KEPT = {
    "code": "idempotent_secret_not_kept",
    "message": (
        "The first request with this Idempotency-Key succeeded, but its response held a secret, which "
        "Accord does not keep. Find what it created (GET /tokens or GET /users), revoke or reset it if the "
        "secret is lost, and create a new one with a new key."
    ),
    "fields": {},
}


def store(claim_id: int, response: HttpResponseBase | None) -> None:
    """Keep a final response below 500 for retries; a 5xx or an exception (None) releases the claim.

    A response that carries a secret (a new token, a generated password: ``Cache-Control: no-store``) is
    not kept, since Accord stores secrets only hashed; a retry then answers 409 saying what happened.
    """
    if response is None or response.status_code >= 500 or not isinstance(response, HttpResponse):
        release(claim_id)
        return
    if SECRET_RESPONSE in response.get("Cache-Control", "") and response.status_code < 300:
        IdempotencyKey.objects.filter(pk=claim_id).update(
            response_status=409,
            response_body=orjson.dumps({"error": SECRET_NOT_KEPT}),
            response_content_type="application/json",
            response_headers={},
        )
        return
    IdempotencyKey.objects.filter(pk=claim_id).update(
        response_status=response.status_code,
        response_body=response.content,
        response_content_type=response.get("Content-Type", ""),
        response_headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
    )


def release(claim_id: int) -> None:
    IdempotencyKey.objects.filter(pk=claim_id).delete()


def claim_or_replay(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja operation decorator: authenticated POSTs with the header are claimed or replayed."""

    @wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        header = request.headers.get(HEADER)
        actor = getattr(request, "actor", None)
        if request.method != "POST" or header is None or actor is None or actor.user_id is None:
            return view_func(request, *args, **kwargs)
        outcome = claim(
            user_id=actor.user_id, key=parse_key(header), request_fingerprint=fingerprint(request)
        )
        if isinstance(outcome, HttpResponse):
            return outcome  # ninja passes a ready response through unchanged
        setattr(request, CLAIM_ATTRIBUTE, outcome)
        return view_func(request, *args, **kwargs)

    return wrapper


def settle(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ninja view decorator: store or release the request's claim once its response exists."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = None
        try:
            response = run(request, *args, **kwargs)
            return response
        finally:
            claim_id = getattr(request, CLAIM_ATTRIBUTE, None)
            if claim_id is not None:
                store(claim_id, response)

    return wrapper
