"""Mounted at /imports/."""

from django.urls import path

from accord.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.upload, name="new"),
    path("new/<str:token>/", views.mapping_step, name="mapping"),
    path("new/<str:token>/preview/", views.mapping_preview, name="preview"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template-delete"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/rejected-rows.csv", views.run_errors, name="errors"),
    path("<int:pk>/run/", views.run_for_real, name="run-for-real"),
    path("<int:pk>/resume/", views.run_resume, name="resume"),
    path("<int:pk>/revert/", views.run_revert, name="revert"),
]
