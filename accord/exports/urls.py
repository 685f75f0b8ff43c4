"""vCards of contacts, the calendar feed and its settings page."""

from django.urls import URLPattern, path

from accord.exports import views

app_name = "exports"

urlpatterns: list[URLPattern] = [
    path("contacts/<int:pk>/vcard/", views.contact_vcard, name="contact-vcard"),
    path("contacts/export/vcard/", views.contacts_vcard, name="contacts-vcard"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="calendar-feed"),
    path("settings/calendar/", views.calendar_settings, name="calendar-settings"),
    path("settings/calendar/issue/", views.calendar_issue, name="calendar-issue"),
    path("settings/calendar/revoke/", views.calendar_revoke, name="calendar-revoke"),
    path("settings/calendar/accord.ics", views.calendar_download, name="calendar-download"),
]
