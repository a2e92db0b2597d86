"""Turn the cached public pages and figures over (``tourism.pagecache``) when the directory changes.

Every save or delete of directory data, and every change to its many-to-many links, makes the
cache stale once the transaction commits: a rolled-back edit changes nothing, and a page rendered
from the old rows before the commit was stored under the old generation, which nobody asks for
after it. Bulk writes (``QuerySet.update``, ``bulk_create``) send no signals; their callers call
``tourism.pagecache.directory_changed`` themselves.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

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


def directory_row_changed(sender, *, using: str, **kwargs) -> None:
    transaction.on_commit(directory_changed, using=using)


def directory_link_changed(sender, *, action: str, using: str, **kwargs) -> None:
    if action in LINK_CHANGES:
        transaction.on_commit(directory_changed, using=using)


def connect_directory_signals() -> None:
    for model in DIRECTORY_MODELS:
        label = model._meta.label_lower
        post_save.connect(directory_row_changed, sender=model, dispatch_uid=f"tourism.pagecache.saved.{label}")
        post_delete.connect(directory_row_changed, sender=model, dispatch_uid=f"tourism.pagecache.deleted.{label}")
    for through in DIRECTORY_LINKS:
        label = through._meta.label_lower
        m2m_changed.connect(directory_link_changed, sender=through, dispatch_uid=f"tourism.pagecache.linked.{label}")
