"""The new lead and new deal pages, and the stage choices of the deal form.

Included in ``config/urls.py`` before the other areas, so that ``/deals/new/`` is never read as the page
of a deal."""

from django.urls import URLPattern, URLResolver, path

from accord.sales import create_views as views

app_name = "sales_create"

urlpatterns: list[URLPattern | URLResolver] = [
    path("leads/new/", views.lead_new, name="lead-new"),
    path("deals/new/", views.deal_new, name="deal-new"),
    path("deals/new/stages/", views.deal_new_stages, name="deal-new-stages"),
]
