"""Setting a staff group to exactly a list of permissions, for code that runs outside migrations.

Each app owns its staff group: the app's ``roles`` module names the group and says what it may do
now, and the app's migrations create and update it, each with the list of its day written out.
This helper serves the few places that must remake a group at run time (a test database flushed
between tests, the demo set-up), once the permissions themselves exist.
"""

from collections.abc import Iterable, Mapping

# (app label, model name) -> actions, e.g. ("quotes", "quoterequest") -> ("view", "change")
GroupPermissions = Mapping[tuple[str, str], Iterable[str]]


def group_set_permissions(*, apps, name: str, permissions: GroupPermissions):
    """Create the group ``name`` if missing and give it exactly ``permissions``; returns the group.

    ``apps`` is an app registry (``django.apps.apps``). Raises RuntimeError when a permission does
    not exist yet: Django makes them after ``migrate``, so the fix is to run it.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = []
    for (app_label, model), actions in permissions.items():
        codenames = [f"{action}_{model}" for action in actions]
        found = list(
            Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model, codename__in=codenames
            )
        )
        if len(found) != len(codenames):
            raise RuntimeError(f"Missing permissions for {app_label}.{model}: run migrate again.")
        wanted.extend(found)
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.set(wanted)
    return group
