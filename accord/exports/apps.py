from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "accord.exports"
    label = "exports"
