from django.contrib import admin
from django.urls import include, path, re_path

from config.api import api, unknown_path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", unknown_path),
    path("", include("accord.users.urls")),
    path("settings/", include("accord.users.settings_urls")),
    path("settings/pipelines/", include("accord.sales.settings_urls")),
    path("", include("accord.customers.create_urls")),
    path("", include("accord.sales.create_urls")),
    path("", include("accord.web.urls")),
    path("", include("accord.web.customer_urls")),
    path("", include("accord.customers.urls")),
    path("", include("accord.sales.urls")),
    path("", include("accord.sales.board_urls")),
    path("", include("accord.activities.urls")),
    path("jobs/", include("accord.jobs.urls")),
    path("", include("accord.dedupe.urls")),
    path("", include("accord.exports.urls")),
    path("imports/", include("accord.imports.urls")),
    path("analytics/", include("accord.analytics.urls")),
]
