"""Pages of duplicate handling: the review queue (``/duplicates/``), the merge page with a choice per
differing field, and a finished merge with its undo button. Thin: each calls one selector or service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.core.errors import AccordError, NotFound, PermissionDenied, ValidationFailed
from accord.core.forms import MAX_ID
from accord.core.web import render_page, web_actor
from accord.customers.create_views import company_page_url, contact_page_url, refused
from accord.dedupe import selectors, services
from accord.dedupe.models import DuplicateCandidate

PAGE_SIZE = 30
LABELS = {"contact": ("contact", "contacts"), "company": ("company", "companies")}
# Fields shown side by side on the merge page, with their labels.
MERGE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "contact": (
        ("given_name", "Given name"),
        ("family_name", "Family name"),
        ("job_title", "Job title"),
        ("lifecycle_stage", "Lifecycle stage"),
        ("acquisition_source", "Source"),
        ("acquisition_channel", "Channel"),
        ("owner_id", "Owner"),
    ),
    "company": (
        ("name", "Name"),
        ("domain", "Website"),
        ("industry", "Industry"),
        ("size_band", "Size"),
        ("annual_revenue", "Annual revenue"),
        ("currency", "Currency"),
        ("phone", "Phone"),
        ("street", "Street"),
        ("city", "City"),
        ("region", "Region"),
        ("postal_code", "Postal code"),
        ("country", "Country"),
        ("parent_id", "Parent company"),
        ("owner_id", "Owner"),
    ),
}


def record_url(object_type: str, pk: int) -> str:
    return contact_page_url(pk) if object_type == "contact" else company_page_url(pk)


def _object_type(request: HttpRequest) -> str:
    object_type = request.GET.get("type", "contact")
    if object_type not in LABELS:
        raise Http404("No duplicates of that kind.")
    return object_type


def _ids(raw: list[str]) -> list[int]:
    ids = []
    for text in raw:
        if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
            raise Http404("No such record.")
        ids.append(int(text))
    return ids


@require_GET
def duplicates_page(request: HttpRequest) -> HttpResponse:
    """The open pairs of one type, best first, both records side by side."""
    actor = web_actor(request)
    object_type = _object_type(request)
    try:
        pairs_query = selectors.candidate_list(actor=actor, object_type=object_type)
    except PermissionDenied as error:
        return refused(request, error.message, status=403)
    # The best pairs first; resolving them (merge, not a duplicate) brings the next ones up.
    pairs = list(pairs_query[:PAGE_SIZE])
    records = selectors.pair_records(actor, object_type, pairs)
    rows: list[dict[str, Any]] = [
        {
            "pair": pair,
            "evidence": selectors.visible_evidence(actor, object_type, pair.evidence),
            "first": records.get(pair.first_id),
            "second": records.get(pair.second_id),
            "first_url": record_url(object_type, pair.first_id),
            "second_url": record_url(object_type, pair.second_id),
        }
        for pair in pairs
    ]
    context = {
        "nav": LABELS[object_type][1],
        "object_type": object_type,
        "label": LABELS[object_type],
        "rows": rows,
        "fields": [
            key
            for key in _shown_keys(object_type)
            if any(key in row["first"] for row in rows if row["first"])
        ],
        "types": LABELS,
        "can_scan": actor.access.is_admin,
    }
    return render_page(request, "dedupe/queue.html", context)


@require_POST
def scan_start(request: HttpRequest) -> HttpResponse:
    """Queue a scan of the type now; its progress shows on the job's page."""
    actor = web_actor(request)
    try:
        started = services.duplicate_scan_start(actor=actor, object_type=_object_type(request))
    except PermissionDenied as error:
        return refused(request, error.message, status=403)
    return HttpResponseRedirect(f"/jobs/{started.pk}/")


def _shown_keys(object_type: str) -> list[str]:
    if object_type == "contact":
        return ["emails", "phones", "companies", "job_title"]
    return ["domain", "phone", "city", "country", "industry"]


@require_POST
def dismiss(request: HttpRequest, candidate_id: int) -> HttpResponse:
    actor = web_actor(request)
    try:
        candidate = selectors.candidate_get(actor=actor, pk=candidate_id)
        services.candidate_dismiss(actor=actor, candidate=candidate)
    except NotFound as error:
        raise Http404(error.message) from None
    except PermissionDenied as error:
        return refused(request, error.message, status=403)
    messages.success(request, "Marked as not a duplicate.")
    return HttpResponseRedirect(f"/duplicates/?type={candidate.object_type}")


def _differing(object_type: str, records: list[Any]) -> list[dict[str, Any]]:
    """The fields whose values differ between the records: one row each, with the value of each record."""
    rows = []
    for name, label in MERGE_FIELDS[object_type]:
        values = [getattr(record, name) for record in records]
        if len({str(value) for value in values}) > 1:
            rows.append({"name": name, "label": label, "values": list(zip(records, values, strict=True))})
    return rows


@require_http_methods(["GET", "HEAD", "POST"])
def merge_page(request: HttpRequest) -> HttpResponse:
    """GET: the records side by side, a survivor to choose and a value per differing field. POST: merge."""
    actor = web_actor(request)
    object_type = _object_type(request)
    ids = list(dict.fromkeys(_ids(request.GET.getlist("ids"))))
    if len(ids) < 2:
        return refused(request, "Choose at least two records to merge.", status=400)
    try:
        records = selectors.records_get(actor=actor, object_type=object_type, ids=ids)
    except NotFound as error:
        raise Http404(error.message) from None
    error_message = ""
    if request.method == "POST":
        survivor_id = _ids([request.POST.get("survivor", "")])[0] if request.POST.get("survivor") else ids[0]
        choices = {
            row["name"]: _ids([request.POST[f"choice-{row['name']}"]])[0]
            for row in _differing(object_type, records)
            if request.POST.get(f"choice-{row['name']}")
        }
        versions = {record.pk: record.version for record in records}
        survivor = next((record for record in records if record.pk == survivor_id), None)
        if survivor is None:
            return refused(request, "The record to keep must be one of the records merged.", status=400)
        try:
            merge = services.record_merge(
                actor=actor,
                object_type=object_type,
                survivor=survivor,
                others=[record for record in records if record.pk != survivor_id],
                field_choices=choices,
                expected_versions=versions,
            )
        except PermissionDenied as error:
            return refused(request, error.message, status=403)
        except ValidationFailed as error:
            error_message = "; ".join(message for messages_ in error.fields.values() for message in messages_)
        except AccordError as error:
            error_message = error.message
        else:
            messages.success(request, f"Merged {len(ids)} {LABELS[object_type][1]}.")
            return HttpResponseRedirect(f"/duplicates/merges/{merge.pk}/")
    context = {
        "nav": LABELS[object_type][1],
        "object_type": object_type,
        "label": LABELS[object_type],
        "records": records,
        "entries": [(record, record_url(object_type, record.pk)) for record in records],
        "rows": _differing(object_type, records),
        "error_message": error_message,
    }
    return render_page(request, "dedupe/merge.html", context, status=409 if error_message else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def merge_done(request: HttpRequest, merge_id: int) -> HttpResponse:
    """A merge and its undo button; POST undoes it."""
    actor = web_actor(request)
    try:
        merge = selectors.merge_get(actor=actor, pk=merge_id)
    except NotFound as error:
        raise Http404(error.message) from None
    error_message = ""
    if request.method == "POST":
        try:
            services.merge_undo(actor=actor, merge=merge)
        except PermissionDenied as error:
            return refused(request, error.message, status=403)
        except AccordError as error:
            error_message = error.message
        else:
            messages.success(request, "Merge undone: the merged records are back.")
            return HttpResponseRedirect(record_url(merge.object_type, merge.survivor_id))
    context = {
        "nav": LABELS[merge.object_type][1],
        "merge": merge,
        "label": LABELS[merge.object_type],
        "survivor_url": record_url(merge.object_type, merge.survivor_id),
        "error_message": error_message,
        "status": DuplicateCandidate.Status,
    }
    return render_page(request, "dedupe/merge_done.html", context, status=409 if error_message else 200)
