from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccessConfig(AppConfig):
    name = "accord.access"
    label = "access"
    verbose_name = "Accord access control"

    def ready(self) -> None:
        from accord.access.builtin_roles import sync_builtin_roles

        post_migrate.connect(sync_builtin_roles, sender=self)
