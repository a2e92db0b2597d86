"""Private storage: outside the public media folder, with no URL at all.

Medical files, hospitals' quote PDFs and the photos and certificates a facility proposes before
an editor approves them live here. They are read only through views that check who is asking
(and, for medical files, record it), never by a URL a web server could serve. In production the
"private" entry of STORAGES can point at a private object-storage bucket instead.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(**kwargs)

    # Read on every use, not cached, so a changed setting (as in tests) always applies.
    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; they are sent only by views that check who asks.")


def private_storage():
    from django.core.files.storage import storages

    return storages["private"]
