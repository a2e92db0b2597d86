from django.apps import AppConfig
from django.db.models.signals import post_migrate


def build_figures(sender, *, using: str, **kwargs) -> None:
    """After every ``migrate``: the directory's figures built from the rows as they stand (the
    first time, and as a repair after anything that wrote around the receivers)."""
    from django.db import connections

    from facilities import figures
    from facilities.models import CountryFigure, OfferFigure

    tables = set(connections[using].introspection.table_names())
    if {CountryFigure._meta.db_table, OfferFigure._meta.db_table} <= tables:
        figures.rebuild(using=using)


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = "Facility directory"

    def ready(self) -> None:
        # Importing the module connects the listing-window receivers (decorated there).
        from facilities.signals import connect_directory_signals

        connect_directory_signals()
        post_migrate.connect(build_figures, sender=self, dispatch_uid="facilities.build_figures")
