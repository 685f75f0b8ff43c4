from django.contrib import admin
from django.urls import path, re_path
from django.views.generic import RedirectView

from config.api import api, unknown_path

urlpatterns = [
    # Until the web application exists, the front door is the API documentation.
    path("", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", unknown_path),
]
