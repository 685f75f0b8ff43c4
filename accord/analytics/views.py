"""The analytics page (/analytics/): the latest customer value analysis and the pipeline forecast, each
chart with its table and a CSV (or XLSX) download of the same numbers (``?format=csv&chart=<key>``).

Thin: read the page (``accord.analytics.page``), turn it into charts (``charts_data``), render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from accord.analytics.charts_data import Chart, find_chart, forecast_charts, report_charts
from accord.analytics.page import analytics_page
from accord.analytics.tasks import refresh_enqueue
from accord.core.errors import PermissionDenied, ValidationFailed
from accord.core.export import export_response, file_format
from accord.core.web import render_page, web_actor


@require_safe
def analytics(request: HttpRequest) -> HttpResponseBase:
    page = analytics_page(actor=web_actor(request))
    charts = report_charts(page.report) if page.report is not None else []
    forecasts = forecast_charts(page.forecast) if page.forecast is not None else []
    if "chart" in request.GET or "format" in request.GET:
        return _download(request, [*charts, *forecasts])
    context = {
        "nav": "analytics",
        "page": page,
        "run": page.run,
        "charts": charts,
        "forecast_charts": forecasts,
        "may_refresh": page.may_refresh,
    }
    return render_page(request, "analytics/page.html", context)


def _download(request: HttpRequest, charts: list[Chart]) -> HttpResponseBase:
    """One chart's table as a file: 404 for a chart that is not on the user's page."""
    try:
        chosen_format = file_format(request.GET.get("format"))
    except ValidationFailed:
        return HttpResponseBadRequest("Choose format=csv or format=xlsx.", content_type="text/plain")
    chart = find_chart(charts, request.GET.get("chart", ""))
    if chart is None:
        raise Http404("No such chart on your analytics page.")
    table = chart.export
    return export_response(
        table.headings, table.rows, name=f"analytics-{chart.key}", file_format=chosen_format
    )


@require_POST
def refresh(request: HttpRequest) -> HttpResponseBase:
    """Refresh now: queue the job ``analytics.refresh`` (administrators and sales managers; 403 otherwise)
    and come back to the page, which shows the job's live progress bar."""
    try:
        refresh_enqueue(actor=web_actor(request))
    except PermissionDenied as error:
        raise Forbidden(error.message) from error
    messages.success(request, "The analysis is being refreshed: its progress shows below.")
    return redirect("analytics:page")
