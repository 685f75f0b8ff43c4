from django.apps import AppConfig


class DedupeConfig(AppConfig):
    name = "accord.dedupe"
    label = "dedupe"
