"""The staff groups and what each may do. Applied by a data migration (and re-runnable)."""

COORDINATORS = "Coordinators"
DIRECTORY_EDITORS = "Directory editors"

# (app label, model) -> actions
GROUP_PERMISSIONS: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    COORDINATORS: {
        ("quotes", "quoterequest"): ("view", "change"),
        ("quotes", "quoteattachment"): ("view",),
        ("quotes", "staffnote"): ("view", "add"),
        ("quotes", "statuschange"): ("view",),
        ("quotes", "patientmessage"): ("view",),
        ("quotes", "facilityquote"): ("view", "add", "change", "delete"),
        ("quotes", "facilityquoteitem"): ("view", "add", "change", "delete"),
        ("quotes", "notification"): ("view",),
        ("facilities", "facility"): ("view",),
        ("facilities", "procedure"): ("view",),
    },
    DIRECTORY_EDITORS: {
        (("facilities", model)): ("view", "add", "change", "delete")
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
    },
}


def apply_groups(apps) -> None:
    """Create or update both groups with exactly their permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, models in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = []
        for (app_label, model), actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            found = list(
                Permission.objects.filter(
                    content_type__app_label=app_label, content_type__model=model, codename__in=codenames
                )
            )
            if len(found) != len(codenames):
                raise RuntimeError(f"Missing permissions for {app_label}.{model}: run migrate again.")
            wanted.extend(found)
        group.permissions.set(wanted)
