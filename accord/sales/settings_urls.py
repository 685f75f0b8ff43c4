"""Pipeline and stage settings, mounted at /settings/pipelines/ (administrators)."""

from django.urls import URLPattern, URLResolver, path

from accord.sales import settings_views as views

app_name = "pipeline_settings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.pipeline_list, name="list"),
    path("new/", views.pipeline_create, name="create"),
    path("<int:pk>/", views.pipeline_detail, name="detail"),
    path("<int:pk>/delete/", views.pipeline_delete, name="delete"),
    path("<int:pk>/stages/", views.stage_create, name="stage-create"),
    path("<int:pk>/stages/order/", views.stage_order, name="stage-order"),
    path("<int:pk>/stages/<int:stage_pk>/", views.stage_edit, name="stage-edit"),
    path("<int:pk>/stages/<int:stage_pk>/delete/", views.stage_delete, name="stage-delete"),
]
