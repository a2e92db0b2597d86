from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = "Facility directory"

    def ready(self) -> None:
        # Importing the module connects the listing-window receivers (decorated there).
        from facilities.signals import connect_directory_signals

        connect_directory_signals()
