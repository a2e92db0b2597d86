"""Writes to the directory: publishing, photos."""

import datetime
from collections.abc import Iterable

from django.db import transaction

from facilities import figures
from facilities.images import Renditions, make_renditions
from facilities.listing import refresh_windows
from facilities.models import Accreditation, Facility, FacilityPhoto, today
from tourism.pagecache import directory_changed


def facility_set_published(
    *, facilities: Iterable[Facility] | None = None, ids: Iterable[int] | None = None, published: bool
) -> int:
    """Publish or unpublish facilities; returns how many changed.

    Publishing does not make a facility public on its own: it is listed only while it also
    holds a current accreditation.
    """
    pks = set(ids or []) | {facility.pk for facility in facilities or []}
    changed = Facility.objects.filter(pk__in=pks).exclude(is_published=published).update(is_published=published)
    if changed:
        figures.refresh_facilities(pks)
        # update() sends no signal: turn the cached public pages over once this commits.
        transaction.on_commit(directory_changed)
    return changed


def facility_listing_refresh(*, facility_ids: Iterable[int] | None = None, on: datetime.date | None = None) -> int:
    """Bring the stored listing windows in line with the accreditation records; returns how many changed.

    Called for one facility whenever one of its accreditations is saved or deleted, for every
    facility after bulk loads, and daily by ``refresh_listings`` (see ``facilities.listing``).
    """
    if facility_ids is not None:
        facility_ids = list(facility_ids)
    changed = refresh_windows(Facility, Accreditation, on=on or today(), facility_ids=facility_ids)
    # Who is listed moves the directory's figures; for every facility (bulk loads, the daily run,
    # when listings also start and end with the date), all of them.
    if facility_ids is None:
        figures.rebuild()
    elif changed:
        figures.refresh_facilities(facility_ids)
    return changed


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
