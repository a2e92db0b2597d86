"""Receivers that keep derived data in step with the directory.

Like database triggers, they only maintain what is derived from the rows staff edit; the rules
live elsewhere (``facilities.listing``, ``tourism.pagecache``). Bulk writes (``QuerySet.update``,
``bulk_create``) send no signals: their callers run ``facility_listing_refresh`` and
``tourism.pagecache.directory_changed`` themselves.

- Each facility's stored listing window follows its accreditation records. This runs inside the
  saving transaction, so a suspended or revoked accreditation hides its facility in the same commit.
- Each price's US-dollar reference figure follows the exchange rates and its facility's currency
  (``facilities.pricing``), in the saving transaction too.
- The directory-wide figures (``facilities.figures``) follow facilities, prices, listings and
  rates, in the saving transaction too: a visitor never computes them.
- The cached public pages and figures turn over once a change to the directory (any save or delete
  of its rows, any change to its many-to-many links) commits: a rolled-back edit changes nothing,
  and a page rendered from the old rows before the commit was stored under the old generation,
  which nobody asks for after it.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from facilities import figures
from facilities.models import (
    Accreditation,
    AccreditationBody,
    Facility,
    FacilityPhoto,
    FacilityProcedure,
    Language,
    Procedure,
    ProcedureCategory,
)
from facilities.pricing import refresh_reference_prices
from facilities.services import facility_listing_refresh
from tourism.models import ExchangeRate
from tourism.pagecache import directory_changed

DIRECTORY_MODELS = (
    Facility,
    Accreditation,
    AccreditationBody,
    FacilityPhoto,
    FacilityProcedure,
    Procedure,
    ProcedureCategory,
    Language,
    # Every price shown converted changes with it.
    ExchangeRate,
)
DIRECTORY_LINKS = (Facility.languages.through, Procedure.related.through)
# m2m_changed also fires before each change, and when nothing was actually added or removed.
LINK_CHANGES = {"post_add", "post_remove", "post_clear"}


# The listing window --------------------------------------------------------------------------------


@receiver(pre_save, sender=Accreditation, dispatch_uid="facilities.accreditation_saving")
def accreditation_saving(sender, instance: Accreditation, **kwargs) -> None:
    # An accreditation moved to another facility must refresh the one it left as well.
    if instance.pk and not kwargs.get("raw"):
        instance._previous_facility_id = (
            Accreditation.objects.filter(pk=instance.pk).values_list("facility_id", flat=True).first()
        )


@receiver(post_save, sender=Accreditation, dispatch_uid="facilities.accreditation_saved")
@receiver(post_delete, sender=Accreditation, dispatch_uid="facilities.accreditation_deleted")
def accreditation_changed(sender, instance: Accreditation, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # Fixture loading: the loaded facilities carry their windows already.
    previous = getattr(instance, "_previous_facility_id", None)
    facility_listing_refresh(facility_ids={instance.facility_id, previous} - {None})


# The US-dollar reference figures of prices -------------------------------------------------------


@receiver(post_save, sender=ExchangeRate, dispatch_uid="facilities.rate_saved")
@receiver(post_delete, sender=ExchangeRate, dispatch_uid="facilities.rate_deleted")
def rate_changed(sender, instance: ExchangeRate, **kwargs) -> None:
    # In the saving transaction, like the listing window: no moment where filters read old figures.
    if refresh_reference_prices(currencies={instance.currency}):
        figures.rebuild()  # Prices in that currency moved, in every country.


@receiver(post_save, sender=Facility, dispatch_uid="facilities.currency_saved")
def facility_saved(sender, instance: Facility, created: bool, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    previous = getattr(instance, "_saved_currency", None)
    if not created and previous is not None and previous != instance.currency:
        refresh_reference_prices(facility_ids={instance.pk})
    instance._saved_currency = instance.currency
    # Its country's figures (and those of the country it left), prices re-read first.
    left = getattr(instance, "_saved_country", None)
    figures.refresh_countries({str(instance.country), str(left or "")})
    instance._saved_country = str(instance.country)


@receiver(post_delete, sender=Facility, dispatch_uid="facilities.figures_facility_deleted")
def facility_deleted(sender, instance: Facility, **kwargs) -> None:
    figures.refresh_countries({str(instance.country)})


@receiver(post_save, sender=FacilityProcedure, dispatch_uid="facilities.figures_offer_saved")
@receiver(post_delete, sender=FacilityProcedure, dispatch_uid="facilities.figures_offer_deleted")
def offer_changed(sender, instance: FacilityProcedure, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    # A facility being deleted takes its prices first: its own receiver counts its country then.
    figures.refresh_facilities([instance.facility_id])


# The page and figure cache -------------------------------------------------------------------------


def directory_row_changed(sender, *, using: str, **kwargs) -> None:
    transaction.on_commit(directory_changed, using=using)


def directory_link_changed(sender, *, action: str, using: str, **kwargs) -> None:
    if action in LINK_CHANGES:
        transaction.on_commit(directory_changed, using=using)


def connect_directory_signals() -> None:
    for model in DIRECTORY_MODELS:
        label = model._meta.label_lower
        post_save.connect(directory_row_changed, sender=model, dispatch_uid=f"facilities.directory.saved.{label}")
        post_delete.connect(directory_row_changed, sender=model, dispatch_uid=f"facilities.directory.deleted.{label}")
    for through in DIRECTORY_LINKS:
        label = through._meta.label_lower
        m2m_changed.connect(directory_link_changed, sender=through, dispatch_uid=f"facilities.directory.linked.{label}")
