"""Indexes for the person side of the lists: the district filter and the filing form."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0016_list_indexes_cover_their_filters"),
        ("measures", "0008_steps_with_units"),
        ("partners", "0007_security_event_detail"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="concern",
            name="concern_municipality_counts",
        ),
        migrations.RemoveIndex(
            model_name="concern",
            name="concern_organisation_counts",
        ),
        migrations.AlterField(
            model_name="subject",
            name="district",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="subjects",
                to="partners.district",
                verbose_name="district",
            ),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["municipality", "status"],
                include=("urgency", "acknowledged_at", "subject_id"),
                name="concern_municipality_counts",
            ),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["reporter_organisation", "status"],
                include=("urgency", "acknowledged_at", "subject_id"),
                name="concern_organisation_counts",
            ),
        ),
        migrations.AddIndex(
            model_name="subject",
            index=models.Index(
                fields=["created_by", "-created_at"], name="subject_reporter_recent"
            ),
        ),
        migrations.AddIndex(
            model_name="subject",
            index=models.Index(fields=["district", "id"], name="subject_district"),
        ),
    ]
