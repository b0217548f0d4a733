import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connection

from concerns.models import Concern
from concerns.services import concern_submit
from tests.factories import ConcernFactory, UserFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.mark.django_db
def test_reference_numbers_are_sequential_per_year():
    reporter = UserFactory()
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 0, tzinfo=OSLO), tick=False):
        first = concern_submit(concern=ConcernFactory(reporter=reporter), actor=reporter)
        second = concern_submit(concern=ConcernFactory(reporter=reporter), actor=reporter)
    # Ten minutes past midnight in Oslo is still 2026 in UTC: the local year counts.
    with time_machine.travel(datetime.datetime(2027, 1, 1, 0, 10, tzinfo=OSLO), tick=False):
        third = concern_submit(concern=ConcernFactory(reporter=reporter), actor=reporter)

    assert [first.reference, second.reference, third.reference] == [
        "BEK-2026-000001",
        "BEK-2026-000002",
        "BEK-2027-000001",
    ]


@pytest.mark.django_db
def test_a_concern_cannot_be_submitted_twice():
    from django.core.exceptions import ValidationError

    reporter = UserFactory()
    concern = concern_submit(concern=ConcernFactory(reporter=reporter), actor=reporter)
    with pytest.raises(ValidationError):
        concern_submit(concern=concern, actor=reporter)
    concern.refresh_from_db()
    assert concern.reference == f"BEK-{concern.submitted_at.astimezone(OSLO).year}-000001"


@pytest.mark.django_db
def test_only_the_reporter_can_submit():
    from django.core.exceptions import PermissionDenied

    concern = ConcernFactory()
    with pytest.raises(PermissionDenied):
        concern_submit(concern=concern, actor=UserFactory())
    concern.refresh_from_db()
    assert concern.is_draft


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks: CI runs it"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_never_share_a_reference_number():
    """Twelve reporters press Submit in the same instant, each on their own connection."""
    drafts = [ConcernFactory() for _ in range(12)]
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def submit(concern: Concern) -> None:
        try:
            barrier.wait()
            concern_submit(concern=concern, actor=concern.reporter)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    references = sorted(Concern.objects.values_list("reference", flat=True))
    year = Concern.objects.first().submitted_at.astimezone(OSLO).year
    assert references == [f"BEK-{year}-{n:06d}" for n in range(1, 13)]
