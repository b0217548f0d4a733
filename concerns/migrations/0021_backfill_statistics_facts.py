"""Fill in the statistics facts for concerns submitted before they were recorded.

The age group is worked out from the person's birth data on the day of
submission, and the first assignment from the timeline: the first time the
case moved to "assigned". Derived facts, written without history rows, as the
search vectors are.
"""

from django.db import migrations
from django.db.models import Min
from django.utils import timezone


def backfill(apps, schema_editor):
    from concerns.models.subject import age_group_for

    Concern = apps.get_model("concerns", "Concern")
    CaseEvent = apps.get_model("concerns", "CaseEvent")
    first_assigned = dict(
        CaseEvent.objects.filter(kind="status_changed", to_status="assigned")
        .values("concern_id")
        .annotate(first=Min("at"))
        .values_list("concern_id", "first")
    )
    batch = []
    submitted = Concern.objects.filter(submitted_at__isnull=False).select_related("subject")
    for concern in submitted.iterator(chunk_size=2000):
        concern.age_group = age_group_for(
            birth_date=concern.subject.birth_date,
            birth_year=concern.subject.birth_year,
            on=timezone.localdate(concern.submitted_at),
        )
        concern.first_assigned_at = first_assigned.get(concern.pk)
        batch.append(concern)
        if len(batch) == 2000:
            Concern.objects.bulk_update(batch, ["age_group", "first_assigned_at"])
            batch = []
    Concern.objects.bulk_update(batch, ["age_group", "first_assigned_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0020_statistics_facts"),
        ("measures", "0009_statistics_facts"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
