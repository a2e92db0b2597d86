"""Directory editors also keep the exchange rates that prices are shown converted at.

Written out as it stands today, like 0005 and 0007 (never imported from live code).
"""

from django.db import migrations

GROUP = "Directory editors"

# (app label, model name) -> actions
PERMISSIONS = {
    ("facilities", "facility"): ("view", "add", "change", "delete"),
    ("facilities", "facilityphoto"): ("view", "add", "change", "delete"),
    ("facilities", "accreditation"): ("view", "add", "change", "delete"),
    ("facilities", "accreditationbody"): ("view", "add", "change", "delete"),
    ("facilities", "procedure"): ("view", "add", "change", "delete"),
    ("facilities", "procedurecategory"): ("view", "add", "change", "delete"),
    ("facilities", "facilityprocedure"): ("view", "add", "change", "delete"),
    ("facilities", "language"): ("view", "add", "change", "delete"),
    ("facilities", "facilitymembership"): ("view", "change", "delete"),
    ("facilities", "facilityinvitation"): ("view", "add", "change"),
    ("facilities", "profilechangeproposal"): ("view", "change"),
    ("tourism", "exchangerate"): ("view", "add", "change", "delete"),
}


def set_group_permissions(apps, schema_editor):
    """Create the group, or update it, with exactly PERMISSIONS; safe to run again."""
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    wanted = []
    for (app_label, model_name), actions in PERMISSIONS.items():
        model = apps.get_model(app_label, model_name)
        # On a fresh database Django makes content types and permissions only after the last
        # migration, so those named here are made now (the same rows Django would make).
        content_type, _created = ContentType.objects.using(db).get_or_create(app_label=app_label, model=model_name)
        for action in actions:
            permission, _created = Permission.objects.using(db).get_or_create(
                content_type=content_type,
                codename=f"{action}_{model_name}",
                defaults={"name": f"Can {action} {model._meta.verbose_name_raw}"},
            )
            wanted.append(permission)
    group, _created = Group.objects.using(db).get_or_create(name=GROUP)
    group.permissions.set(wanted)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("facilities", "0010_prices_in_own_currency"), ("tourism", "0002_exchange_rates")]

    operations = [migrations.RunPython(set_group_permissions, migrations.RunPython.noop)]
