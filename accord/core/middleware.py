"""Request-wide rules: pages need a signed-in user; the API answers every error in JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase, JsonResponse

# The API authenticates per operation (token or session) and must answer JSON, never a redirect.
OPEN_PREFIXES = ("/api/", "/static/", "/admin/")


class PagesRequireLogin(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, minus the paths that authenticate on their own."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        if request.path.startswith(OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class JsonMethodNotAllowed:
    """A wrong method on an API path answers 405 in the API's error shape, as every other API error
    does (ninja answers it in plain text), keeping the ``Allow`` header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code != 405 or not request.path.startswith("/api/"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        message = f"{request.method} is not allowed on {request.path}; allowed: {allowed}."
        body = {"error": {"code": "method_not_allowed", "message": message, "fields": {}}}
        answer = JsonResponse(body, status=405)
        answer["Allow"] = allowed
        return answer
