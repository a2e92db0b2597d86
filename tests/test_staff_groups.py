"""Staff groups: each app's migrations make its own group with exactly the permissions its
``roles`` module names, on a fresh database and on one made before the groups were split."""

import ast
import functools
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from facilities import roles as facility_roles
from quotes import roles as quote_roles

PROJECT_PACKAGES = {"facilities", "quotes", "tourism"}

# Migrations allowed a project module: none. A live module can change under a migration; copy
# what a migration needs into it instead.
MIGRATION_SAFE_IMPORTS: dict[str, set[str]] = {}

GROUP_MIGRATIONS = {
    quote_roles.COORDINATORS: ("quotes", "0007_coordinators_responsiveness"),
    facility_roles.DIRECTORY_EDITORS: ("facilities", "0011_directory_editors_exchange_rates"),
}

DUMP_GROUPS = """
import json, django
django.setup()
from django.contrib.auth.models import Group
print(json.dumps({
    group.name: {
        "permissions": sorted(map(list, group.permissions.values_list("content_type__app_label", "codename"))),
        "members": sorted(group.user_set.values_list("username", flat=True)),
    }
    for group in Group.objects.all()
}))
"""

OLD_GROUPS = """
import django
django.setup()
from django.contrib.auth.models import Group, Permission, User
# As quotes' 0003 left things before the split, but with a stale list and a member to keep.
group = Group.objects.create(name="Directory editors")
group.permissions.set(Permission.objects.filter(codename__in=["view_facility", "view_quoterequest"]))
User.objects.create_user("edith", is_staff=True).groups.add(group)
"""


def expected(permissions) -> set[tuple[str, str]]:
    return {
        (app_label, f"{action}_{model}") for (app_label, model), actions in permissions.items() for action in actions
    }


EXPECTED = {
    quote_roles.COORDINATORS: expected(quote_roles.PERMISSIONS),
    facility_roles.DIRECTORY_EDITORS: expected(facility_roles.PERMISSIONS),
}


def group_permissions(name: str) -> set[tuple[str, str]]:
    return set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename"))


@pytest.fixture
def manage(tmp_path):
    """Run manage.py and Python snippets against a database file of their own (never the test one)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tourism.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'groups.sqlite3'}",
        "MEDTOUR_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    run = functools.partial(subprocess.run, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=180)

    def call(*args: str) -> str:
        done = run([sys.executable, *args])
        assert done.returncode == 0, done.stderr
        return done.stdout

    call.groups = lambda: {
        name: {"permissions": {tuple(p) for p in group["permissions"]}, "members": group["members"]}
        for name, group in json.loads(call("-c", DUMP_GROUPS).strip().splitlines()[-1]).items()
    }
    return call


@pytest.mark.subprocess
def test_fresh_migrate_gives_each_group_exactly_its_permissions(manage):
    manage("manage.py", "migrate", "-v0")
    groups = manage.groups()
    assert set(groups) == set(EXPECTED)
    for name, permissions in EXPECTED.items():
        assert groups[name]["permissions"] == permissions, name


@pytest.mark.subprocess
def test_migrating_a_database_that_already_has_the_groups_sets_them_right(manage):
    manage("manage.py", "migrate", "quotes", "0003", "-v0")
    manage("manage.py", "migrate", "facilities", "0004", "-v0")
    manage("-c", OLD_GROUPS)
    manage("manage.py", "migrate", "-v0")
    groups = manage.groups()
    for name, permissions in EXPECTED.items():
        assert groups[name]["permissions"] == permissions, name
    assert groups[facility_roles.DIRECTORY_EDITORS]["members"] == ["edith"]


@pytest.mark.django_db
def test_the_migrated_test_database_holds_exactly_the_roles():
    for name, permissions in EXPECTED.items():
        assert group_permissions(name) == permissions, name


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GROUP_MIGRATIONS))
def test_running_a_group_migration_again_leaves_exactly_its_permissions(name):
    app_label, migration_name = GROUP_MIGRATIONS[name]
    migration = importlib.import_module(f"{app_label}.migrations.{migration_name}")
    historical = MigrationLoader(connection).project_state((app_label, migration_name)).apps
    schema_editor = SimpleNamespace(connection=connection)

    # A group someone edited by hand: one permission missing, one that does not belong.
    group = Group.objects.get(name=name)
    group.permissions.remove(group.permissions.first())
    group.permissions.add(Permission.objects.get(codename="delete_quoterequest"))
    migration.set_group_permissions(historical, schema_editor)
    assert group_permissions(name) == EXPECTED[name]
    migration.set_group_permissions(historical, schema_editor)
    assert group_permissions(name) == EXPECTED[name]
    assert Group.objects.filter(name=name).count() == 1

    # And a database that lost the group altogether.
    Group.objects.filter(name=name).delete()
    migration.set_group_permissions(historical, schema_editor)
    assert group_permissions(name) == EXPECTED[name]


@pytest.mark.django_db
def test_apply_groups_remakes_a_removed_group_with_its_permissions():
    Group.objects.all().delete()
    quote_roles.apply_groups(apps)
    facility_roles.apply_groups(apps)
    for name, permissions in EXPECTED.items():
        assert group_permissions(name) == permissions, name


def migration_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return sorted(path for package in PROJECT_PACKAGES for path in (base / package / "migrations").glob("0*.py"))


def project_imports(tree: ast.AST) -> set[str]:
    """Every project module a migration imports, anywhere in it (inside functions too)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                found.add("." * node.level + (node.module or ""))
            elif node.module.split(".")[0] in PROJECT_PACKAGES:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] in PROJECT_PACKAGES}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in {
            "import_module",
            "__import__",
        }:
            found |= {arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    return found


def serializer_imports(tree: ast.Module) -> set[str]:
    """Plain ``import app.module`` lines that Django's migration writer adds for field callables
    (defaults, upload paths, storages), used only in the ``Migration`` class's operations."""
    names = set()
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    used_in_functions = {n.id for f in functions for n in ast.walk(f) if isinstance(n, ast.Name)}
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.split(".")[0] not in used_in_functions}
    return names


def foreign_run_python_code(tree: ast.Module) -> set[str]:
    """What a migration's RunPython operations run that is not a function written in the file."""
    own = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    foreign = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "RunPython":
            for arg in [*node.args, *(keyword.value for keyword in node.keywords if keyword.arg != "elidable")]:
                code = ast.unparse(arg)
                if code not in own and code != "migrations.RunPython.noop":
                    foreign.add(code)
    return foreign


def test_migration_files_never_import_live_project_code():
    files = migration_files()
    assert len(files) >= 8
    offenders = {}
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        relative = path.relative_to(settings.BASE_DIR).as_posix()
        allowed = serializer_imports(tree) | MIGRATION_SAFE_IMPORTS.get(relative, set())
        if bad := (project_imports(tree) - allowed) | foreign_run_python_code(tree):
            offenders[relative] = sorted(bad)
    assert offenders == {}


def test_the_import_check_catches_the_old_way_of_making_groups():
    old = ast.parse(
        "from django.db import migrations\n"
        "def make_groups(apps, schema_editor):\n"
        "    from quotes.roles import apply_groups\n"
        "    apply_groups(apps)\n"
    )
    assert project_imports(old) - serializer_imports(old) == {"quotes.roles"}
    helper = ast.parse("import quotes.roles\ndef make(apps, schema_editor):\n    quotes.roles.apply_groups(apps)\n")
    assert project_imports(helper) - serializer_imports(helper) == {"quotes.roles"}
    direct = ast.parse("import quotes.roles\noperations = [migrations.RunPython(quotes.roles.apply_groups)]\n")
    assert foreign_run_python_code(direct) == {"quotes.roles.apply_groups"}
