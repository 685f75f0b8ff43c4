"""Cross-domain pages. Thin: parse, call selectors, render."""

from django.http import HttpRequest, HttpResponse

from accord.core.web import render_page, web_actor


def home(request: HttpRequest) -> HttpResponse:
    """ "My day": the signed-in user's tasks, deals closing soon and recent interactions."""
    web_actor(request)
    return render_page(request, "web/home.html", {"nav": "home"})
