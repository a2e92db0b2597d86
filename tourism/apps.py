from django.apps import AppConfig


class TourismConfig(AppConfig):
    name = "tourism"
    verbose_name = "Medtour site"

    def ready(self) -> None:
        from tourism.signals import connect_directory_signals

        connect_directory_signals()
