"""Create the Coordinators staff group with its permissions.

The permissions are written out as they stood when this migration was made, never imported from
live code: a migration runs against the models of its own time, and a live list naming a model
added later would break every fresh ``migrate``. Later changes to the group come in later quotes
migrations. The Directory editors group belongs to facilities, whose migrations make it.
"""

from django.db import migrations

GROUP = "Coordinators"

# (app label, model name) -> actions
PERMISSIONS = {
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
    dependencies = [
        ("quotes", "0002_staff_workflow"),
        ("facilities", "0002_procedure_information_pages"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(set_group_permissions, remove_group)]
