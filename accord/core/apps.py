from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "accord.core"
    label = "core"
    verbose_name = "Accord core"

    def ready(self) -> None:
        from accord.core.postgres import use_compiled_timestamp_loader

        connection_created.connect(use_compiled_timestamp_loader, dispatch_uid="accord-timestamp-loader")
