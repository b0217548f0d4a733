"""Filing a concern through the Django test client, as a frontline user would."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import OBSERVATIONS_MAX_LENGTH, Concern, Subject
from concerns.selectors import RECENT_SUBJECTS_OFFERED
from partners.models import Contact
from tests.concerns.test_national_id import REGULAR_FNR, SYNTHETIC_FNR
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    DistrictFactory,
    OrganisationFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db


def test_submitting_files_the_concern_and_shows_a_receipt(
    client, people, concern_form_data, trondheim, seed_rules
):
    ContactFactory(
        organisation=OrganisationFactory(slug="slt", name="SLT", municipalities=[trondheim]),
        role=Contact.Role.COORDINATOR,
        name="SLT-koordinator",
        phone="952 63 621",
    )
    client.force_login(people.alice)

    response = client.post(reverse("concerns:new"), concern_form_data(), follow=True)

    concern = Concern.objects.get()
    assert concern.status == Concern.Status.SUBMITTED
    assert concern.reporter == people.alice
    assert concern.reporter_organisation == people.alice.organisation
    assert concern.subject.name == "Oppdiktet Elev"
    assert re.fullmatch(rf"BEK-{timezone.localdate().year}-000001", concern.reference)
    assert response.redirect_chain[-1][0] == reverse("concerns:receipt", args=[concern.public_id])
    page = response.content.decode()
    assert concern.reference in page
    # alice's school has no resource person, so the SLT coordinator takes it.
    assert "SLT-koordinator" in page
    assert "952 63 621" in page


def test_receipt_names_the_reporters_own_resource_person_first(
    client, people, concern_form_data, seed_rules
):
    ContactFactory(
        organisation=people.alice.organisation,
        name="Oppdiktet Ressursperson",
        phone="+47 400 00 000",
    )
    client.force_login(people.alice)

    response = client.post(reverse("concerns:new"), concern_form_data(), follow=True)

    assert "Oppdiktet Ressursperson" in response.content.decode()


def test_saving_a_draft_keeps_it_private_and_editable(client, people, concern_form_data):
    client.force_login(people.alice)

    response = client.post(reverse("concerns:new"), concern_form_data(action="draft"))

    concern = Concern.objects.get()
    assert concern.status == Concern.Status.DRAFT
    assert concern.reference is None
    assert response["Location"] == reverse("concerns:edit", args=[concern.public_id])

    response = client.post(
        reverse("concerns:edit", args=[concern.public_id]),
        concern_form_data(
            existing_subject=concern.subject_id, subject_name=None, observations="Endret tekst."
        ),
    )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.SUBMITTED
    assert concern.observations == "Endret tekst."
    assert Subject.objects.count() == 1


def test_a_drafts_own_person_comes_back_editable_and_is_completed_in_place(
    client, people, concern_form_data
):
    client.force_login(people.alice)
    half_written = concern_form_data(action="draft", subject_birth_year="", observations="")
    client.post(reverse("concerns:new"), half_written)
    concern = Concern.objects.get()

    form = client.get(reverse("concerns:edit", args=[concern.public_id])).context["form"]
    assert form["subject_name"].value() == "Oppdiktet Elev"
    assert form["existing_subject"].value() is None

    client.post(
        reverse("concerns:edit", args=[concern.public_id]),
        concern_form_data(subject_birth_year="2011", observations="Nå utfylt."),
    )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.SUBMITTED
    assert concern.subject.birth_year == 2011
    assert Subject.objects.count() == 1  # the same person, completed, not a second one


def test_my_concerns_lists_own_concerns_with_status(client, people):
    own = ConcernFactory(
        reporter=people.alice, reference="BEK-2026-000007", status=Concern.Status.SUBMITTED
    )
    ConcernFactory(
        reporter=people.bob, reference="BEK-2026-000008", status=Concern.Status.SUBMITTED
    )
    client.force_login(people.alice)

    page = client.get(reverse("concerns:mine")).content.decode()

    assert own.reference in page
    assert own.subject.name in page
    assert "BEK-2026-000008" not in page


def test_acute_urgency_flags_the_concern_and_tells_the_reporter_to_call_112(
    client, people, concern_form_data
):
    client.force_login(people.alice)

    response = client.post(reverse("concerns:new"), concern_form_data(urgency="acute"), follow=True)

    assert Concern.objects.get().is_acute
    assert "112" in response.content.decode()
    assert 'class="alert alert-danger acute-notice"' in response.content.decode()


def test_the_form_page_carries_the_acute_notice_for_when_acute_is_chosen(client, people):
    client.force_login(people.alice)
    page = client.get(reverse("concerns:new")).content.decode()
    assert 'id="acute-selected"' in page
    assert "112" in page


def test_reporter_can_pick_a_person_they_reported_before_but_not_someone_elses(
    client, people, concern_form_data, trondheim
):
    own_subject = SubjectFactory(created_by=people.alice, municipality=trondheim)
    others_subject = SubjectFactory(created_by=people.bob, municipality=trondheim)
    client.force_login(people.alice)

    client.post(
        reverse("concerns:new"),
        concern_form_data(existing_subject=own_subject.pk, subject_name=None),
    )
    assert Concern.objects.get().subject == own_subject

    response = client.post(
        reverse("concerns:new"),
        concern_form_data(existing_subject=others_subject.pk, subject_name=None),
    )
    assert response.status_code == 200
    assert "existing_subject" in response.context["form"].errors
    assert Concern.objects.count() == 1


def test_the_form_offers_the_latest_people_yet_accepts_any_of_the_reporters_own(
    client, people, concern_form_data, trondheim
):
    oldest = SubjectFactory(created_by=people.alice, municipality=trondheim, name="Oppdiktet Eldst")
    Subject.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    for _n in range(RECENT_SUBJECTS_OFFERED):
        SubjectFactory(created_by=people.alice, municipality=trondheim)
    client.force_login(people.alice)

    field = client.get(reverse("concerns:new")).context["form"]["existing_subject"]
    offered = [value for value, _label in field.field.widget.choices if value]
    assert len(offered) == RECENT_SUBJECTS_OFFERED
    assert oldest.pk not in offered

    response = client.post(
        reverse("concerns:new"),
        concern_form_data(existing_subject=oldest.pk, subject_name=None, observations=""),
    )
    assert response.status_code == 200  # observations missing: shown again ...
    shown_again = response.context["form"]["existing_subject"].field.widget.choices
    assert oldest.pk in [value for value, _label in shown_again]  # ... with the choice kept
    client.post(
        reverse("concerns:new"), concern_form_data(existing_subject=oldest.pk, subject_name=None)
    )
    assert Concern.objects.get().subject == oldest


def _future(days=1):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject_birth_date": _future(), "subject_birth_year": None}, "subject_birth_date"),
        ({"subject_national_id": "01015560042"}, "subject_national_id"),  # bad fødselsnummer
        ({"subject_national_id": "3102585234"}, "subject_national_id"),  # bad CPR (31 Feb)
        ({"observations": ""}, "observations"),
        ({"observations": "   \n  "}, "observations"),
        ({"observations": "x" * (OBSERVATIONS_MAX_LENGTH + 1)}, "observations"),
        ({"subject_name": "x" * 201}, "subject_name"),
        ({"subject_name": ""}, "subject_name"),
        ({"subject_birth_year": None}, "subject_birth_year"),
        ({"subject_birth_year": "1850"}, "subject_birth_year"),
        ({"observed_on": _future()}, "observed_on"),
        ({"guardians_informed": ""}, "guardians_informed"),  # under 18: must be answered
        ({"urgency": "panic"}, "urgency"),
        (
            {"subject_national_id": REGULAR_FNR, "subject_birth_date": "2010-01-01"},
            "subject_national_id",
        ),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(
    client, people, concern_form_data, overrides, field
):
    client.force_login(people.alice)

    response = client.post(reverse("concerns:new"), concern_form_data(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert (
        "Nothing was saved." in response.content.decode()
        or "Ingenting ble lagret." in response.content.decode()
    )
    assert Concern.objects.count() == 0
    assert Subject.objects.count() == 0


def test_a_district_from_another_municipality_is_refused(
    client, people, concern_form_data, aalborg
):
    client.force_login(people.alice)
    danish = DistrictFactory(municipality=aalborg, name="Løvvangen")
    response = client.post(reverse("concerns:new"), concern_form_data(subject_district=danish.pk))
    assert "subject_district" in response.context["form"].errors
    assert Concern.objects.count() == 0


def test_a_matching_national_id_is_stored(client, people, concern_form_data):
    client.force_login(people.alice)
    client.post(
        reverse("concerns:new"),
        concern_form_data(
            subject_national_id=SYNTHETIC_FNR,
            subject_birth_date="2010-01-01",
            subject_birth_year=None,
        ),
    )
    subject = Subject.objects.get()
    assert subject.national_id == SYNTHETIC_FNR
    assert subject.birth_year == 2010


def test_adults_need_no_answer_about_guardians(client, people, concern_form_data):
    client.force_login(people.alice)
    client.post(
        reverse("concerns:new"),
        concern_form_data(subject_birth_year="1990", guardians_informed=None),
    )
    assert Concern.objects.get().guardians_informed == ""


@pytest.mark.parametrize("page", ["concerns:detail", "concerns:edit", "concerns:receipt"])
@pytest.mark.parametrize("who", ["bob", "charlie", "dana"])
def test_anyone_but_the_reporter_gets_404(client, people, page, who):
    concern = ConcernFactory(
        reporter=people.alice, reference="BEK-2026-000001", status=Concern.Status.SUBMITTED
    )
    client.force_login(getattr(people, who))
    assert client.get(reverse(page, args=[concern.public_id])).status_code == 404


def test_a_submitted_concern_can_no_longer_be_edited(client, people, concern_form_data):
    concern = ConcernFactory(
        reporter=people.alice, reference="BEK-2026-000001", status=Concern.Status.SUBMITTED
    )
    client.force_login(people.alice)
    response = client.post(reverse("concerns:edit", args=[concern.public_id]), concern_form_data())
    assert response["Location"] == reverse("concerns:detail", args=[concern.public_id])
    concern.refresh_from_db()
    assert concern.observations == "Eleven har delt propaganda i klassens chat."


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("concerns:new"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_case_pages_are_not_cached(client, people):
    client.force_login(people.alice)
    assert "no-store" in client.get(reverse("concerns:mine"))["Cache-Control"]


def test_my_concerns_makes_the_same_number_of_queries_for_5_and_50_rows(client, people):
    client.force_login(people.alice)
    ConcernFactory.create_batch(5, reporter=people.alice)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("concerns:mine"))
    ConcernFactory.create_batch(45, reporter=people.alice)
    with CaptureQueriesContext(connection) as fifty:
        client.get(reverse("concerns:mine"))
    assert len(fifty) == len(five)
