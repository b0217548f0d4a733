from django.conf import settings
from django.db import migrations, models

# The copies on every existing grant, from its case (SQL that SQLite and PostgreSQL both run).
COPY = """
UPDATE concerns_concernuserobjectpermission SET
    submitted_at = (SELECT submitted_at FROM concerns_concern
                    WHERE concerns_concern.id = content_object_id),
    concern_status = (SELECT status FROM concerns_concern
                      WHERE concerns_concern.id = content_object_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("concerns", "0027_retention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="concernuserobjectpermission",
            name="concern_status",
            field=models.CharField(blank=True, max_length=20, verbose_name="status"),
        ),
        migrations.AddField(
            model_name="concernuserobjectpermission",
            name="submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="submitted"),
        ),
        migrations.AddField(
            model_name="historicalconcernuserobjectpermission",
            name="concern_status",
            field=models.CharField(blank=True, max_length=20, verbose_name="status"),
        ),
        migrations.AddField(
            model_name="historicalconcernuserobjectpermission",
            name="submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="submitted"),
        ),
        migrations.RunSQL(COPY, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="concernuserobjectpermission",
            index=models.Index(
                fields=["user", "permission", "-submitted_at", "-content_object"],
                include=("concern_status",),
                name="concern_grant_recent",
            ),
        ),
    ]
