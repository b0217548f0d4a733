"""Action cards become checklists on the case; later edits to a card leave them alone."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from concerns.models import ChecklistTask
from concerns.services import concern_submit
from concerns.services.work import checklist_apply, checklist_task_complete
from measures.models import ActionCard
from partners.models import Organisation
from tests.factories import ConcernFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
SUBMITTED = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=OSLO)


@pytest.fixture
def reference(db):
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _aalborg_concern(*, travel: bool, birth_year: int):
    skuret = Organisation.objects.get(slug="ungecenter-skuret")
    reporter = UserFactory(organisation=skuret)
    subject = SubjectFactory(
        municipality=skuret.municipalities.get(), created_by=reporter, birth_year=birth_year
    )
    concern = ConcernFactory(
        reporter=reporter,
        municipality=subject.municipality,
        subject=subject,
        involves_conflict_travel=travel,
        observed_on=datetime.date(2026, 11, 1),
    )
    with time_machine.travel(SUBMITTED, tick=False):
        return concern_submit(concern=concern, actor=reporter)


@pytest.mark.parametrize(
    ("travel", "birth_year", "code"),
    [
        (False, 2011, "radicalisation-under-18"),
        (False, 1990, "radicalisation-18-plus"),
        (True, 2011, "conflict-travel-under-18"),
        (True, 1990, "conflict-travel-18-plus"),
    ],
)
def test_routing_turns_each_card_into_a_checklist_with_due_times(
    reference, travel, birth_year, code
):
    concern = _aalborg_concern(travel=travel, birth_year=birth_year)
    card = ActionCard.objects.get(code=code)
    steps = list(card.steps.order_by("order"))
    tasks = list(concern.checklist.order_by("order"))

    for language in ("nb", "da", "en"):  # copied in every language
        assert [getattr(task, f"text_{language}") for task in tasks] == [
            getattr(step, f"text_{language}") for step in steps
        ]
    assert [task.responsible for task in tasks] == [step.responsible for step in steps]
    # Hours and minutes run on the clock; the receipt step counts weekdays, skipping holidays.
    assert [task.due_at for task in tasks if task.due_basis["unit"] != "working_days"] == [
        SUBMITTED + datetime.timedelta(**{step.due_unit: step.due_amount})
        for step in steps
        if step.due_unit != "working_days"
    ]
    for task in tasks:
        assert task.due_basis["length"] == task.step.due_amount
    assert all(task.card == card and not task.is_done for task in tasks)


def test_editing_a_card_later_does_not_change_existing_checklists(reference):
    concern = _aalborg_concern(travel=False, birth_year=2011)
    before = list(
        concern.checklist.values_list("text_nb", "text_da", "text_en", "responsible", "due_at")
    )
    card = concern.action_card
    step = card.steps.first()
    step.text_nb = "Helt ny tekst"
    step.due_amount = 999
    step.save()
    card.steps.last().delete()

    assert (
        list(
            concern.checklist.values_list("text_nb", "text_da", "text_en", "responsible", "due_at")
        )
        == before
    )


def test_a_handler_applies_a_card_by_hand_once(reference):
    from partners.models import User

    coordinator = User.objects.get(username="trd-coordinator")
    uteseksjonen = Organisation.objects.get(slug="uteseksjonen")
    reporter = UserFactory(organisation=uteseksjonen)
    concern = concern_submit(
        concern=ConcernFactory(reporter=reporter, municipality=uteseksjonen.municipalities.get()),
        actor=reporter,
    )
    # Trondheim's rules give Trondheim's own card, never Aalborg's.
    assert {task.card.code for task in concern.checklist.all()} == {"trd-radicalisation"}
    card = ActionCard.objects.get(code="trd-raised-by-parent")

    checklist_apply(concern=concern, card=card, actor=coordinator)
    with pytest.raises(ValidationError):
        checklist_apply(concern=concern, card=card, actor=coordinator)

    assert concern.checklist.filter(card=card).count() == card.steps.count()


def test_another_municipalitys_card_is_refused_on_a_case(reference):
    from partners.models import User

    coordinator = User.objects.get(username="trd-coordinator")
    uteseksjonen = Organisation.objects.get(slug="uteseksjonen")
    reporter = UserFactory(organisation=uteseksjonen)
    concern = concern_submit(
        concern=ConcernFactory(reporter=reporter, municipality=uteseksjonen.municipalities.get()),
        actor=reporter,
    )
    aalborgs_card = ActionCard.objects.get(code="radicalisation-under-18")

    with pytest.raises(ValidationError):
        checklist_apply(concern=concern, card=aalborgs_card, actor=coordinator)
    assert not concern.checklist.filter(card=aalborgs_card).exists()


def test_completing_a_task_records_who_and_when_and_overdue_tasks_stand_out(reference, client):
    from partners.models import User

    concern = _aalborg_concern(travel=False, birth_year=2011)
    coordinator = User.objects.get(username="aal-coordinator")
    first, *rest = list(concern.checklist.order_by("order"))
    checklist_task_complete(task=first, actor=coordinator, note="Ringte INFO-huset")
    first.refresh_from_db()
    assert (
        first.done_by == coordinator
        and first.done_at is not None
        and first.note == "Ringte INFO-huset"
    )
    with pytest.raises(ValidationError):
        checklist_task_complete(task=first, actor=coordinator)

    client.force_login(coordinator)
    page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    # Submitted on 2 November 2026: by "now" every open task is past its due time.
    assert page.count("bg-danger-subtle") == len(rest)
    assert "bg-success-subtle" in page


def test_an_outsider_cannot_complete_a_task(reference, client, people):
    concern = _aalborg_concern(travel=False, birth_year=2011)
    task = concern.checklist.first()
    client.force_login(people.dana)
    response = client.post(
        reverse("concerns:task_done", args=[concern.public_id, task.pk]), {"note": ""}
    )
    assert response.status_code == 404
    assert not ChecklistTask.objects.get(pk=task.pk).is_done
