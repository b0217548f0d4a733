"""The list indexes carry the columns the lists filter on, declared on the model.

0014 created the two count indexes in raw SQL; they are dropped here and
declared in Concern.Meta with INCLUDE, as every other list index now is.
"""

from django.db import migrations, models

FILTER_COLUMNS = ("status", "urgency", "acknowledged_at")


def drop_raw_count_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ("concern_municipality_counts", "concern_organisation_counts"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("concerns", "0015_overview_reads")]

    operations = [
        migrations.RunPython(drop_raw_count_indexes, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="concern", name="concern_inbox_recent"),
        migrations.RemoveIndex(model_name="concern", name="concern_org_recent"),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["municipality", "-submitted_at", "-id"],
                include=FILTER_COLUMNS,
                name="concern_inbox_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["reporter_organisation", "-submitted_at", "-id"],
                include=FILTER_COLUMNS,
                name="concern_org_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["municipality", "status"],
                include=("urgency", "acknowledged_at"),
                name="concern_municipality_counts",
            ),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["reporter_organisation", "status"],
                include=("urgency", "acknowledged_at"),
                name="concern_organisation_counts",
            ),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["id"], include=(*FILTER_COLUMNS, "submitted_at"), name="concern_by_grant"
            ),
        ),
    ]
