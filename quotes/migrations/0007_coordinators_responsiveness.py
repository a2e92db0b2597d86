"""Coordinators also see how each facility answers its cases (its responsiveness figures).

Written out as it stands today, like 0003 (never imported from live code).
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
    ("quotes", "facilitycase"): ("view", "add", "change"),
    ("quotes", "facilitycasechange"): ("view",),
    ("quotes", "message"): ("view", "add"),
    ("quotes", "sharingconsent"): ("view", "add"),
    ("facilities", "facility"): ("view",),
    ("facilities", "procedure"): ("view",),
    ("facilities", "facilityresponsiveness"): ("view",),
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


class Migration(migrations.Migration):
    dependencies = [("quotes", "0006_coordinators_cases"), ("facilities", "0007_directory_editors_facility_users")]

    operations = [migrations.RunPython(set_group_permissions, migrations.RunPython.noop)]
