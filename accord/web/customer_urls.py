"""The customer 360 pages: ``/contacts/<id>/`` and ``/companies/<id>/`` with their tabs and the parts
htmx updates in place (a field, the timeline, a quick action)."""

from django.urls import URLPattern, URLResolver, path

from accord.web import customer_views as views

app_name = "customer360"


def _pages(kind: str, plural: str) -> list[URLPattern | URLResolver]:
    customer = {"kind": kind}
    return [
        path(f"{plural}/<int:pk>/", views.detail, customer, name=f"{kind}-detail"),
        path(f"{plural}/<int:pk>/history/", views.history, customer, name=f"{kind}-history"),
        path(f"{plural}/<int:pk>/timeline/", views.timeline, customer, name=f"{kind}-timeline"),
        path(f"{plural}/<int:pk>/fields/<str:field>/", views.field_value, customer, name=f"{kind}-field"),
        path(
            f"{plural}/<int:pk>/fields/<str:field>/edit/",
            views.field_edit,
            customer,
            name=f"{kind}-field-edit",
        ),
        path(f"{plural}/<int:pk>/actions/<str:action>/", views.quick_action, customer, name=f"{kind}-action"),
    ]


urlpatterns: list[URLPattern | URLResolver] = [
    *_pages("contact", "contacts"),
    *_pages("company", "companies"),
]
