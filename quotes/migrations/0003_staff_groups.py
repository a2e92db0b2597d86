"""Create the Coordinators and Directory editors groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def make_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from quotes.roles import apply_groups

    apply_groups(apps)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Coordinators", "Directory editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0002_staff_workflow"),
        ("facilities", "0002_procedure_information_pages"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_groups, remove_groups)]
