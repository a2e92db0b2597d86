"""The Directory editors staff group: its name, for code that finds staff by role, and what it may do now.

The group belongs to the facilities app: facilities' migrations create it and keep it up to date,
each with the list of its day written out (never imported from here, so an old migration keeps
working whatever this module says later). ``PERMISSIONS`` is the list as it stands today, and a
test checks that migrating gives the group exactly this. Changing it therefore needs a new
facilities migration that sets the group to the new list.
"""

from tourism.staff_groups import GroupPermissions, group_set_permissions

DIRECTORY_EDITORS = "Directory editors"

PERMISSIONS: GroupPermissions = {
    ("facilities", model): ("view", "add", "change", "delete")
    for model in (
        "facility",
        "facilityphoto",
        "accreditation",
        "accreditationbody",
        "procedure",
        "procedurecategory",
        "facilityprocedure",
        "language",
    )
} | {
    ("facilities", "facilitymembership"): ("view", "change", "delete"),
    ("facilities", "facilityinvitation"): ("view", "add", "change"),
    ("facilities", "profilechangeproposal"): ("view", "change"),
    # The exchange rates that prices are shown converted at (tourism.money).
    ("tourism", "exchangerate"): ("view", "add", "change", "delete"),
}


def apply_groups(apps) -> None:
    """Create or update the facilities app's staff group with exactly its permissions (re-runnable).

    Only for a database whose migrations have run but whose groups were removed since (a flushed
    test database, a demo); migrations never call this.
    """
    group_set_permissions(apps=apps, name=DIRECTORY_EDITORS, permissions=PERMISSIONS)
