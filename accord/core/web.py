"""What every server-rendered page shares: the actor of a browser request and htmx-aware rendering.

One view per URL: an htmx request gets the partial that changed, any other request the full page
built around the same partial, so a page works with JavaScript off and links stay shareable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accord.core.actors import Actor


def web_actor(request: HttpRequest) -> Actor:
    """The signed-in user of a page request (the login middleware guarantees there is one)."""
    actor = getattr(request, "_accord_actor", None)
    if actor is None:
        actor = Actor(user=request.user, via="web")  # type: ignore[arg-type]
        request._accord_actor = actor  # type: ignore[attr-defined]
    return actor


def render_page(
    request: HttpRequest,
    page_template: str,
    context: Mapping[str, Any],
    *,
    partial_template: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The partial for htmx requests (when the page has one), otherwise the full page."""
    htmx = getattr(request, "htmx", None)
    template = partial_template if (partial_template and htmx) else page_template
    return render(request, template, dict(context), status=status)
