"""Writes to the directory: publishing, photos."""

from collections.abc import Iterable

from django.db import transaction

from facilities.images import Renditions, make_renditions
from facilities.models import Facility, FacilityPhoto


def facility_set_published(
    *, facilities: Iterable[Facility] | None = None, ids: Iterable[int] | None = None, published: bool
) -> int:
    """Publish or unpublish facilities; returns how many changed.

    Publishing does not make a facility public on its own: it is listed only while it also
    holds a current accreditation.
    """
    pks = set(ids or []) | {facility.pk for facility in facilities or []}
    return Facility.objects.filter(pk__in=pks).exclude(is_published=published).update(is_published=published)


def facility_photo_apply_renditions(*, photo: FacilityPhoto, renditions: Renditions) -> FacilityPhoto:
    """Attach freshly made renditions to a photo (not yet saved), replacing any old files."""
    old_files = [f.name for f in (photo.large, photo.thumbnail) if f]
    photo.large.save(renditions.large.name, renditions.large, save=False)
    photo.thumbnail.save(renditions.thumbnail.name, renditions.thumbnail, save=False)
    photo.width, photo.height = renditions.width, renditions.height
    if old_files:
        storage = photo.large.storage

        def delete_old() -> None:
            for name in old_files:
                storage.delete(name)

        transaction.on_commit(delete_old)
    return photo


def facility_photo_add(
    *, facility: Facility, upload, alt_text: str, caption: str = "", position: int = 0
) -> FacilityPhoto:
    """Check an upload, make its renditions and store a new photo. Raises ValidationError."""
    renditions = make_renditions(upload)
    photo = FacilityPhoto(facility=facility, alt_text=alt_text, caption=caption, position=position)
    facility_photo_apply_renditions(photo=photo, renditions=renditions)
    photo.save()
    return photo
