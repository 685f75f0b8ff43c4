"""The new-record pages of companies and contacts, and the matches of the pickers' search boxes.

Included in ``config/urls.py`` before the other areas, so that ``/contacts/new/`` is never read as the
page of a contact."""

from django.urls import URLPattern, URLResolver, path

from accord.customers import create_views as views

app_name = "customers_create"

urlpatterns: list[URLPattern | URLResolver] = [
    path("companies/new/", views.company_new, name="company-new"),
    path("contacts/new/", views.contact_new, name="contact-new"),
    path("new/choose/<str:picker>/", views.choose, name="choose"),
]
