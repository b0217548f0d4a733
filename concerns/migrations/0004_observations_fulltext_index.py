"""A GIN index for the inbox's free-text search, on PostgreSQL only.

The expression must be exactly what concerns.selectors builds with
SearchVector("observations", config="simple"), or the planner will not use it.
SQLite has no such index; its fallback search is a plain LIKE.
"""

from django.db import migrations

INDEX = "concern_observations_fts"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON concerns_concern "
            "USING gin (to_tsvector('simple'::regconfig, COALESCE(observations, '')))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("concerns", "0003_triage_routing_access")]

    operations = [migrations.RunPython(create_index, drop_index)]
