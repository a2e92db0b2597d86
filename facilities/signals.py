"""Receivers that keep derived data in step with the directory.

Like database triggers, they only maintain what is derived from the rows staff edit; the rules
live elsewhere (``facilities.listing``, ``tourism.pagecache``). Bulk writes (``QuerySet.update``,
``bulk_create``) send no signals: their callers run ``facility_listing_refresh`` and
``tourism.pagecache.directory_changed`` themselves.

- Each facility's stored listing window follows its accreditation records. This runs inside the
  saving transaction, so a suspended or revoked accreditation hides its facility in the same commit.
- The cached public pages and figures turn over once a change to the directory (any save or delete
  of its rows, any change to its many-to-many links) commits: a rolled-back edit changes nothing,
  and a page rendered from the old rows before the commit was stored under the old generation,
  which nobody asks for after it.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

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
from facilities.services import facility_listing_refresh
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
