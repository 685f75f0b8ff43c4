"""Every page needs a signed-in user, except the API (which answers 401 in JSON itself) and static files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase

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
