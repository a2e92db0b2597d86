"""Private storage for medical files (``tourism.storage``; the STORAGES setting names it here)."""

from tourism.storage import PrivateStorage, private_storage

__all__ = ["PrivateStorage", "private_storage"]
