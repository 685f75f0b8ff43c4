"""The duplicate review queue, the merge page and finished merges."""

from django.urls import path

from accord.dedupe import views

app_name = "dedupe"

urlpatterns = [
    path("duplicates/", views.duplicates_page, name="queue"),
    path("duplicates/scan/", views.scan_start, name="scan"),
    path("duplicates/<int:candidate_id>/dismiss/", views.dismiss, name="dismiss"),
    path("duplicates/merge/", views.merge_page, name="merge"),
    path("duplicates/merges/<int:merge_id>/", views.merge_done, name="merge-done"),
]
