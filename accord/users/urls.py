"""Sign-in, sign-out and password change pages: Django's views (throttled by the auth backend) with Accord's templates."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

app_name = "users"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="users/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="users/password_change.html", success_url=reverse_lazy("users:password_changed")
        ),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="users/password_changed.html"),
        name="password_changed",
    ),
]
