"""Pages of the exports app: vCards of contacts, the calendar feed and its settings."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accord.core.actors import Actor
from accord.core.audit import audit_event
from accord.core.listing import export_state, view_pages, web_errors
from accord.core.web import web_actor
from accord.customers.selectors import contact_get
from accord.customers.views import CONTACTS
from accord.exports.calendar import calendar_file
from accord.exports.models import CalendarFeed
from accord.exports.selectors import calendar_items, contact_cards, contacts_by_id
from accord.exports.services import calendar_feed_issue, calendar_feed_revoke, calendar_feed_user
from accord.exports.vcard import vcard_text

VCARD = "text/vcard; charset=utf-8"
ICALENDAR = "text/calendar; charset=utf-8"


def _filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "contact"


@require_GET
@web_errors
def contact_vcard(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One contact's vCard, from its 360 page: whoever may see the contact may take its card (404
    otherwise), without the fields the role hides. Audited as an export of one record."""
    actor = web_actor(request)
    contact = contact_get(actor=actor, pk=pk)
    audit_event(
        actor=actor, action="export", object_type="customers.contact", object_id=contact.pk,
        object_repr=f"vCard of {contact.full_name}"[:300],
    )  # fmt: skip
    response = HttpResponse(vcard_text(contact_cards(actor=actor, contacts=[contact])), content_type=VCARD)
    response["Content-Disposition"] = f'attachment; filename="{_filename(contact.full_name)}.vcf"'
    return response


@require_GET
@web_errors
def contacts_vcard(request: HttpRequest) -> HttpResponseBase:
    """The contacts of the current list view as one .vcf file, streamed a page at a time (export right,
    audited, as the CSV and XLSX exports of the list)."""
    state = export_state(request, CONTACTS, file_format="vcard")

    def cards() -> Iterator[str]:
        for page in view_pages(state, contacts_by_id):
            yield vcard_text(contact_cards(actor=state.actor, contacts=page))

    response = StreamingHttpResponse(cards(), content_type=VCARD)
    response["Content-Disposition"] = 'attachment; filename="contacts.vcf"'
    return response


# ---------------------------------------------------------------- calendar


def _calendar_response(request: HttpRequest, actor: Actor, *, download: bool) -> HttpResponse:
    name = f"Accord: {actor.user.get_full_name() or actor.user.get_username()}"  # type: ignore[union-attr]
    body = calendar_file(calendar_items(actor=actor), name=name, absolute=request.build_absolute_uri)
    response = HttpResponse(body, content_type=ICALENDAR)
    # Personal data: no shared cache keeps it, and a revoked address stops answering at once.
    response["Cache-Control"] = "private, no-store"
    if download:
        response["Content-Disposition"] = 'attachment; filename="accord.ics"'
    return response


@login_not_required  # the secret in the address is the credential: calendar apps cannot sign in
@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The subscription feed: what the feed's user may see now; 404 for an unknown, rotated or revoked
    secret and for a disabled user, so that a guess learns nothing."""
    user = calendar_feed_user(secret)
    if user is None:
        raise Http404("No such calendar.")
    return _calendar_response(request, Actor(user=user, via="web"), download=False)


@require_GET
def calendar_download(request: HttpRequest) -> HttpResponse:
    return _calendar_response(request, web_actor(request), download=True)


def _settings_page(
    request: HttpRequest, actor: Actor, template: str, context: dict[str, object]
) -> HttpResponse:
    full = {"section": "calendar", "is_admin": actor.access.is_admin, **context}
    return render(request, template, full)


@require_GET
def calendar_settings(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    feed = CalendarFeed.objects.filter(user=actor.user).first()  # type: ignore[misc]
    return _settings_page(request, actor, "exports/calendar_settings.html", {"feed": feed})


@require_POST
def calendar_issue(request: HttpRequest) -> HttpResponse:
    """A new feed address, shown once (rotating: the old address stops working)."""
    actor = web_actor(request)
    secret = calendar_feed_issue(actor=actor)
    context: dict[str, object] = {
        "title": "Calendar feed address",
        "explanation": "Subscribe to this address in your calendar app (“add calendar from URL”). It is shown "
        "once: Accord keeps only a hash of it. Any older address has stopped working.",
        "secret": request.build_absolute_uri(f"/calendar/{secret}.ics"),
        "done_url": reverse("exports:calendar-settings"),
    }
    return _settings_page(request, actor, "users/settings/secret.html", context)


@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    if calendar_feed_revoke(actor=web_actor(request)):
        messages.success(request, "Calendar feed revoked: its address stopped working at once.")
    return redirect("exports:calendar-settings")
