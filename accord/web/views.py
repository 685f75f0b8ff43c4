"""Cross-domain pages: the home page ("my day") and global search. Thin: parse, call one selector, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from accord.core.charts import month_chart, stage_chart
from accord.core.web import render_page, web_actor
from accord.web.selectors import (
    SEARCH_MAX_QUERY_LENGTH,
    SEARCH_PAGE_LIMIT,
    SEARCH_POPUP_LIMIT,
    global_search,
    my_day,
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """ "My day": the signed-in user's tasks, deals closing this month, recent interactions and key figures."""
    day = my_day(actor=web_actor(request))
    main = day.figures.main if day.figures else None
    show_amounts = bool(day.figures and day.figures.show_amounts)
    context = {
        "nav": "home",
        "day": day,
        "main": main,
        "other_currencies": day.figures.currencies[1:] if day.figures else [],
        "show_amounts": show_amounts,
        "stage_chart": stage_chart(main.stages, show_amounts=show_amounts) if main and main.stages else None,
        "month_chart": month_chart(main.months, show_amounts=show_amounts) if main else None,
    }
    return render_page(request, "web/home.html", context)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Global search: the header's popup (htmx) or a page of its own, both grouped by type of record.

    An empty query gives an empty popup (so it closes) or the bare search page; a query longer than
    200 characters is cut, and the page says so.
    """
    popup = bool(getattr(request, "htmx", False))
    results = global_search(
        actor=web_actor(request),
        raw_query=request.GET.get("q", ""),
        limit=SEARCH_POPUP_LIMIT if popup else SEARCH_PAGE_LIMIT,
    )
    if popup and not results.query:
        return HttpResponse("")  # nothing at all, so the popup's :empty style hides it
    context = {"results": results, "max_length": SEARCH_MAX_QUERY_LENGTH}
    return render_page(request, "web/search.html", context, partial_template="web/_search_popup.html")
