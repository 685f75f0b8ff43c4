from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "accord.users"
    label = "users"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from accord.users import login_audit

        user_logged_in.connect(login_audit.on_user_logged_in, dispatch_uid="accord.users.login")
        user_logged_out.connect(login_audit.on_user_logged_out, dispatch_uid="accord.users.logout")
        user_login_failed.connect(login_audit.on_user_login_failed, dispatch_uid="accord.users.login_failed")
