from django.apps import AppConfig


class DedupeConfig(AppConfig):
    name = "accord.dedupe"
    label = "dedupe"

    def ready(self) -> None:
        # The create endpoints and pages (lower layers) ask for likely duplicates through this seam.
        from accord.core.duplicates import register_finder
        from accord.dedupe.matching import likely_duplicates

        register_finder("contact", likely_duplicates)
        register_finder("company", likely_duplicates)
