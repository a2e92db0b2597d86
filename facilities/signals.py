"""Keep each facility's stored listing window in step with its accreditation records.

Like a database trigger, this only maintains derived data; the rule lives in
``facilities.listing``. It runs inside the saving transaction, so a suspended or revoked
accreditation hides its facility in the same commit. Bulk writes (``QuerySet.update``,
``bulk_create``) send no signals: their callers run ``facility_listing_refresh`` themselves.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from facilities.models import Accreditation
from facilities.services import facility_listing_refresh


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
