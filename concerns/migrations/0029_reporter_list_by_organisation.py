from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0028_grant_copies_for_lists"),
        ("measures", "0009_statistics_facts"),
        ("partners", "0008_single_sign_on"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="concern",
            name="concern_reporter_recent",
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["reporter", "reporter_organisation", "-created_at", "-id"],
                name="concern_reporter_recent",
            ),
        ),
    ]
