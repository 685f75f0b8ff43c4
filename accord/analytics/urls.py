"""Mounted at /analytics/."""

from django.urls import path

from accord.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.analytics, name="page"),
    path("refresh/", views.refresh, name="refresh"),
]
