"""Settings pages, mounted at /settings/: administration (administrators) and API tokens (everyone's own).
Pipelines and stages are in ``accord.sales.settings_urls`` (/settings/pipelines/)."""

from django.urls import URLPattern, URLResolver, path

from accord.users import settings_views as views

app_name = "settings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/disable/", views.user_disable, name="user-disable"),
    path("users/<int:pk>/enable/", views.user_enable, name="user-enable"),
    path("users/<int:pk>/password/", views.user_password, name="user-password"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:pk>/", views.team_edit, name="team-edit"),
    path("teams/<int:pk>/delete/", views.team_delete, name="team-delete"),
    path("roles/", views.role_list, name="roles"),
    path("roles/new/", views.role_create, name="role-create"),
    path("roles/<int:pk>/", views.role_edit, name="role-edit"),
    path("roles/<int:pk>/delete/", views.role_delete, name="role-delete"),
    path("sharing/", views.sharing_defaults, name="sharing"),
    path("custom-fields/", views.custom_field_list_page, name="custom-fields"),
    path("custom-fields/new/", views.custom_field_create, name="custom-field-create"),
    path("custom-fields/<int:pk>/", views.custom_field_edit, name="custom-field-edit"),
    path("custom-fields/<int:pk>/delete/", views.custom_field_delete, name="custom-field-delete"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
