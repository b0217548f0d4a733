from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0029_reporter_list_by_organisation"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["municipality", "status", "-submitted_at", "-id"],
                include=("subject_id", "urgency", "acknowledged_at"),
                name="concern_status_recent",
            ),
        ),
    ]
