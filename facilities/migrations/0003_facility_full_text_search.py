"""Full-text search for the directory (see facilities/search.py), built the way each database does it.

PostgreSQL: ``search_vector``, a stored generated column holding the weighted search vector (name
A, city B, description C, ``simple`` configuration), and a GIN index on it. PostgreSQL computes the
column on every insert and update, so it cannot fall out of step. The model does not declare it
(SQLite has no such type); ``facilities.search`` reads it by name.

SQLite: an FTS5 table over facilities_facility (name, city, description). It is an external-content
table, so the text is stored once, in facilities_facility, and triggers on insert, update and
delete keep the index in step; SQLite fires them for every row of a multi-row insert, so
``bulk_create`` is covered too. The index is filled from the rows already there.

Caution for later migrations that alter facilities_facility:
- SQLite: Django changes most columns by building a new table and dropping the old one, which
  drops these triggers. Create them again in that migration (the SQL is in ``SQLITE_TRIGGERS``);
  tests/facilities/test_search.py fails until they are back.
- PostgreSQL refuses to change the type of name, city or description (a longer max_length, say)
  while the generated column uses it: drop ``search_vector`` first and add it back afterwards
  (``POSTGRESQL_VECTOR`` below; the index goes with the column).

Other databases get nothing here; ``facility_search`` falls back to a substring match on them.
"""

from django.db import migrations

POSTGRESQL_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(city, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(description, '')), 'C')"
)
FTS_TABLE = "facilities_facility_fts"
COLUMNS = "name, city, description"
NEW_ROW = "new.id, new.name, new.city, new.description"
OLD_ROW = "old.id, old.name, old.city, old.description"

SQLITE_TRIGGERS = {
    "facilities_facility_fts_insert": f"""
        CREATE TRIGGER facilities_facility_fts_insert AFTER INSERT ON facilities_facility BEGIN
            INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) VALUES ({NEW_ROW});
        END
    """,
    # An external-content FTS5 table forgets a row only when given the exact values it indexed.
    "facilities_facility_fts_delete": f"""
        CREATE TRIGGER facilities_facility_fts_delete AFTER DELETE ON facilities_facility BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS}) VALUES ('delete', {OLD_ROW});
        END
    """,
    # Only changes to the searched columns touch the index (publishing a facility does not).
    "facilities_facility_fts_update": f"""
        CREATE TRIGGER facilities_facility_fts_update AFTER UPDATE OF id, {COLUMNS} ON facilities_facility BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS}) VALUES ('delete', {OLD_ROW});
            INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) VALUES ({NEW_ROW});
        END
    """,
}


def create_search(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE facilities_facility ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({POSTGRESQL_VECTOR}) STORED",
            params=None,
        )
        schema_editor.execute(
            "CREATE INDEX facility_search_idx ON facilities_facility USING gin (search_vector)", params=None
        )
    elif vendor == "sqlite":
        # Accents are folded ("zurich" finds Zürich); case folding is the tokenizer's default.
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({COLUMNS}, content='facilities_facility', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
            params=None,
        )
        for sql in SQLITE_TRIGGERS.values():
            schema_editor.execute(sql, params=None)
        schema_editor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')", params=None)


def drop_search(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE facilities_facility DROP COLUMN IF EXISTS search_vector", params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0002_procedure_information_pages"),
    ]

    operations = [
        migrations.RunPython(create_search, drop_search, elidable=False),
    ]
