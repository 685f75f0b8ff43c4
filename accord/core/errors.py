"""Errors raised by services and selectors; the API and the web views turn them into responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class AccordError(Exception):
    """Base of every expected failure; ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "bad_request"
    # More members of the error object beside code, message and fields (a 409's ``candidates``).
    extra: Mapping[str, object] = {}

    def __init__(
        self,
        message: str,
        *,
        fields: Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, list[str]] = {
            name: list(messages) for name, messages in (fields or {}).items()
        }
        # Response header fields the answer needs (Retry-After on a 429).
        self.headers: dict[str, str] = dict(headers or {})


class ValidationFailed(AccordError):
    status = 422
    code = "validation_error"

    def __init__(
        self, fields: Mapping[str, Sequence[str]], message: str = "Some fields are invalid."
    ) -> None:
        super().__init__(message, fields=fields)


class NotFound(AccordError):
    status = 404
    code = "not_found"


class PermissionDenied(AccordError):
    status = 403
    code = "permission_denied"


class Conflict(AccordError):
    status = 409
    code = "conflict"


class PreconditionFailed(AccordError):
    status = 412
    code = "version_mismatch"


class RateLimited(AccordError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})


def field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: [message]})


class FieldErrors:
    """Collects the errors of several fields so one response names every bad field, not just the first.

    errors = FieldErrors()
    with errors.collect():
        email = normalize_email(raw)
    errors.raise_if_any()
    """

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def collect(self) -> _Collector:
        return _Collector(self)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)


class _Collector:
    def __init__(self, errors: FieldErrors) -> None:
        self.errors = errors

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, traceback: object) -> bool:
        if isinstance(exc, ValidationFailed):
            for field, messages in exc.fields.items():
                for message in messages:
                    self.errors.add(field, message)
            return True
        return False
