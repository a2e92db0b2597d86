"""The Coordinators staff group: its name, for code that finds staff by role, and what it may do now.

The group belongs to the quotes app: quotes' migrations create it and keep it up to date, each
with the list of its day written out (never imported from here, so an old migration keeps
working whatever this module says later). ``PERMISSIONS`` is the list as it stands today, and a
test checks that migrating gives the group exactly this. Changing it therefore needs a new quotes
migration that sets the group to the new list. The Directory editors group is facilities'
(``facilities.roles``).
"""

from tourism.staff_groups import GroupPermissions, group_set_permissions

COORDINATORS = "Coordinators"

PERMISSIONS: GroupPermissions = {
    ("quotes", "quoterequest"): ("view", "change"),
    ("quotes", "quoteattachment"): ("view",),
    ("quotes", "staffnote"): ("view", "add"),
    ("quotes", "statuschange"): ("view",),
    ("quotes", "patientmessage"): ("view",),
    ("quotes", "facilityquote"): ("view", "add", "change", "delete"),
    ("quotes", "facilityquoteitem"): ("view", "add", "change", "delete"),
    ("quotes", "notification"): ("view",),
    ("quotes", "facilitycase"): ("view", "add", "change"),
    ("quotes", "facilitycasechange"): ("view",),
    ("quotes", "message"): ("view", "add"),
    ("quotes", "sharingconsent"): ("view", "add"),
    ("facilities", "facility"): ("view",),
    ("facilities", "procedure"): ("view",),
    ("facilities", "facilityresponsiveness"): ("view",),
}


def apply_groups(apps) -> None:
    """Create or update the quotes app's staff group with exactly its permissions (re-runnable).

    Only for a database whose migrations have run but whose groups were removed since (a flushed
    test database, a demo); migrations never call this.
    """
    group_set_permissions(apps=apps, name=COORDINATORS, permissions=PERMISSIONS)
