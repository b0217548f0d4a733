"""Covering indexes for the counts above every list (PostgreSQL only).

The inbox's total and its counts per status read status, urgency and
acknowledgement for every case in scope. With these columns in the index,
PostgreSQL answers from the index alone instead of visiting each row.
SQLite has no INCLUDE; its lists are small.
"""

from django.db import migrations

INDEXES = {
    "concern_municipality_counts": "(municipality_id, status) INCLUDE (urgency, acknowledged_at)",
    "concern_organisation_counts": (
        "(reporter_organisation_id, status) INCLUDE (urgency, acknowledged_at)"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON concerns_concern {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("concerns", "0013_sweep_marks")]

    operations = [migrations.RunPython(create, drop)]
