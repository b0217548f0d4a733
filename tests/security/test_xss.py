"""Cross-site scripting: hostile text in every free-text field, on every page that shows it.

Each field gets the whole corpus, tagged with the field's name, e.g.
``[observations] <script>alert(1)</script> "><img src=x onerror=alert(1)> …``.
Every text is written through the real services, the admin or (for
reference data only) the ORM. Each page must then show the tagged text
escaped, in one piece, exactly where it was stored: a page that stopped
showing it fails too, instead of passing for want of anything to escape, and
`{{7*7}}` and `{% now "Y" %}` prove that no stored text is rendered as a
template. No page may carry a live `<script>`, an `onerror` attribute or a
`javascript:` URL.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from tablib import Dataset

from concerns.models import (
    AccessLog,
    Concern,
    NotificationKind,
    Reminder,
    RoutingRule,
)
from concerns.reminders import deliver, process_outbox
from concerns.services import (
    ConcernDetails,
    SubjectDetails,
    access_log_record,
    concern_accept,
    concern_add_note,
    concern_assign,
    concern_create_draft,
    concern_reporter_reply,
    concern_request_info,
    concern_submit,
    routing_rule_save,
    subject_create,
)
from concerns.services.work import case_activity_record, checklist_apply, checklist_task_complete
from measures.models import ActionCard, ActionCardStep, GoalArea, Measure
from partners.models import Contact, Organisation, User
from partners.resources import ContactResource, OrganisationResource
from referrals.models import LegalBasis, Referral
from referrals.services import (
    ReferralDetails,
    referral_accept,
    referral_add_note,
    referral_complete,
    referral_create,
    referral_decline,
    referral_send,
)
from tests.factories import PhenomenonFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
TEMPLATE_EXPR = "{{7*7}}"
TEMPLATE_TAG = '{% now "Y" %}'
PAYLOADS = (SCRIPT, IMG, JS_URL, TEMPLATE_EXPR, TEMPLATE_TAG)

FIELD_TAG = re.compile(r"\[[a-z-]+\]")
JAVASCRIPT_URL_ATTRIBUTE = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def hostile(field: str) -> str:
    """The whole corpus, tagged with the field it is stored in."""
    return f"[{field}] " + " ".join(PAYLOADS)


def assert_nothing_runs(html: str) -> None:
    assert SCRIPT not in html, "a stored <script> reached the page unescaped"
    assert "<img src=x onerror" not in html, "a stored event handler reached the page unescaped"
    assert not JAVASCRIPT_URL_ATTRIBUTE.search(html), "a javascript: URL became a link"


def assert_shown_escaped(html: str, field: str) -> None:
    """The field's text is on the page, escaped, and not evaluated as a template."""
    assert escape(hostile(field)) in html, (
        f"[{field}] is not shown escaped and verbatim ({TEMPLATE_EXPR} must stay, not become 49)"
    )


@dataclass
class Hostile:
    concern: Concern
    draft: Concern
    referral: Referral
    declined_referral: Referral
    reporter: User
    coordinator: User
    nav_worker: User
    registry_admin: User
    organisation: Organisation
    contact: Contact
    card: ActionCard
    measure: Measure
    rule: RoutingRule


def _admin_add(admin_user: User, url_name: str, data: dict):
    client = Client()
    client.force_login(admin_user)
    return client.post(reverse(url_name), data)


def _registry_via_admin(registry_admin: User, trondheim) -> tuple[Organisation, Contact]:
    response = _admin_add(
        registry_admin,
        "admin:partners_organisation_add",
        {
            "slug": "fiendtlig-etat",
            "name": hostile("organisation-name"),
            "kind": Organisation.Kind.VOLUNTARY,
            "municipalities": [trondheim.pk],
            "description": hostile("organisation-description"),
            "website": "https://example.org/",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, "the admin refused the organisation"
    organisation = Organisation.objects.get(slug="fiendtlig-etat")
    response = _admin_add(
        registry_admin,
        "admin:partners_contact_add",
        {
            "organisation": organisation.pk,
            "role": Contact.Role.PROJECT_COORDINATOR,
            "name": hostile("contact-name"),
            "phone": "952 63 621",
            "email": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, "the admin refused the contact"
    return organisation, Contact.objects.get(organisation=organisation)


def _reference_data(trondheim, organisation: Organisation) -> tuple[ActionCard, Measure]:
    card = ActionCard.objects.create(
        municipality=trondheim,
        code="fiendtlig-kort",
        situation=ActionCard.Situation.CONFLICT_TRAVEL,
        age_band=ActionCard.AgeBand.UNDER_18,
        **{f"title_{lang}": hostile("card-title") for lang in ("nb", "da", "en")},
    )
    ActionCardStep.objects.create(
        card=card,
        order=1,
        responsible=ActionCardStep.Responsible.COORDINATOR,
        due_amount=15,
        due_unit=ActionCardStep.DueUnit.MINUTES,
        **{f"text_{lang}": hostile("card-step") for lang in ("nb", "da", "en")},
    )
    area = GoalArea.objects.create(municipality=trondheim, number=9, title=hostile("goal-area"))
    measure = Measure.objects.create(
        municipality=trondheim,
        goal_area=area,
        number=99,
        title=hostile("measure-title"),
        description=hostile("measure-description"),
    )
    measure.responsible.set([organisation])
    return card, measure


def _referral(concern, coordinator, nav, **text) -> Referral:
    referral = referral_create(
        concern=concern,
        actor=coordinator,
        details=ReferralDetails(
            receiving_organisation=nav,
            receiving_contact=None,
            reason=text.get("reason", "Vanlig begrunnelse."),
            shared_information=text.get("shared", "Vanlig delt tekst."),
            legal_basis=LegalBasis.OTHER,
            legal_basis_other=text.get("legal_basis", "Vanlig hjemmel."),
            response_due=timezone.localdate() + datetime.timedelta(days=7),
        ),
    )
    return referral_send(referral=referral, actor=coordinator)


def _details(observations: str) -> ConcernDetails:
    return ConcernDetails(
        observations=observations,
        observed_on=timezone.localdate() - datetime.timedelta(days=1),
        phenomenon=PhenomenonFactory(),
        signs=[],
        urgency=Concern.Urgency.NORMAL,
        involves_conflict_travel=False,
        prevention_level=Concern.PreventionLevel.SELECTIVE,
        guardians_informed=Concern.GuardiansInformed.NO,
    )


def _file(reporter: User, trondheim) -> tuple[Concern, Concern]:
    """A submitted concern and a draft about one invented person, as the reporter files them."""
    subject = subject_create(
        actor=reporter,
        municipality=trondheim,
        details=SubjectDetails(
            name=hostile("subject-name"),
            birth_date=None,
            birth_year=2011,
            district=None,
            school_or_workplace=hostile("school-or-workplace"),
            national_id="",
        ),
    )
    concern = concern_create_draft(
        actor=reporter,
        municipality=trondheim,
        subject=subject,
        details=_details(hostile("observations")),
    )
    draft = concern_create_draft(
        actor=reporter,
        municipality=trondheim,
        subject=subject,
        details=_details(hostile("draft-observations")),
    )
    return concern_submit(concern=concern, actor=reporter), draft


def _handle(concern, *, coordinator, reporter, contact, card, organisation, measure) -> None:
    """Triage and follow-up: every text a handler (or the reporter, when asked) writes."""
    concern = concern_accept(concern=concern, actor=coordinator, comment=hostile("accept-comment"))
    concern_add_note(concern=concern, actor=coordinator, text=hostile("internal-note"))
    concern_request_info(concern=concern, actor=coordinator, message=hostile("question"))
    concern_reporter_reply(concern=concern, actor=reporter, text=hostile("reporter-reply"))
    concern_assign(
        concern=concern, assignee=contact, actor=coordinator, reason=hostile("assign-reason")
    )
    task = checklist_apply(concern=concern, card=card, actor=coordinator)[0]
    checklist_task_complete(task=task, actor=coordinator, note=hostile("task-note"))
    case_activity_record(
        concern=concern,
        actor=coordinator,
        kind="meeting",
        date=timezone.localdate(),
        organisations=[organisation],
        notes=hostile("activity-notes"),
        measures=[measure],
    )
    access_log_record(
        concern=concern,
        user=coordinator,
        view="detail",
        purpose=AccessLog.Purpose.STATED,
        reason=hostile("stated-purpose"),
    )


def _refer(concern, *, coordinator, nav_worker, measure) -> tuple[Referral, Referral]:
    """One referral to NAV that runs its course, and one that NAV declines."""
    nav = nav_worker.organisation
    referral = _referral(
        concern,
        coordinator,
        nav,
        reason=hostile("referral-reason"),
        shared=hostile("shared-information"),
        legal_basis=hostile("legal-basis-other"),
    )
    referral.requested_measures.set([measure])
    # Declined while the other referral is live, so NAV keeps seeing that one.
    declined = _referral(concern, coordinator, nav)
    referral_decline(referral=declined, actor=nav_worker, reason=hostile("decline-reason"))
    referral_add_note(referral=referral, actor=nav_worker, text=hostile("progress-note"))
    referral_accept(referral=referral, actor=nav_worker, reason=hostile("accept-reason"))
    referral_complete(referral=referral, actor=nav_worker, outcome=hostile("referral-outcome"))
    return referral, declined


@pytest.fixture
def xss(world, trondheim) -> Hostile:
    reporter, coordinator, nav_worker = world.reporter, world.coordinator, world.nav_worker
    registry_admin = world.attackers["registry_admin"]
    organisation, contact = _registry_via_admin(registry_admin, trondheim)
    card, measure = _reference_data(trondheim, organisation)
    rule = routing_rule_save(
        rule=RoutingRule(
            name=hostile("routing-rule"),
            order=1,
            mode=RoutingRule.Mode.ALSO,
            municipality=trondheim,
            target=RoutingRule.Target.SPECIFIC_CONTACT,
            target_contact=contact,
        ),
        actor=registry_admin,
    )
    concern, draft = _file(reporter, trondheim)
    _handle(
        concern,
        coordinator=coordinator,
        reporter=reporter,
        contact=contact,
        card=card,
        organisation=organisation,
        measure=measure,
    )
    referral, declined = _refer(
        concern, coordinator=coordinator, nav_worker=nav_worker, measure=measure
    )
    return Hostile(
        concern=Concern.objects.get(pk=concern.pk),
        draft=draft,
        referral=referral,
        declined_referral=declined,
        reporter=reporter,
        coordinator=coordinator,
        nav_worker=nav_worker,
        registry_admin=registry_admin,
        organisation=organisation,
        contact=contact,
        card=card,
        measure=measure,
        rule=rule,
    )


@dataclass(frozen=True)
class Page:
    viewer: str  # an attribute of Hostile
    url: object  # Hostile -> str
    shows: tuple[str, ...]  # the fields the page must show, escaped
    hides: tuple[str, ...] = ()  # fields this viewer must not see at all


CASE_PAGE_FIELDS = (
    "subject-name",
    "school-or-workplace",
    "observations",
    "accept-comment",
    "internal-note",
    "question",
    "reporter-reply",
    "assign-reason",
    "contact-name",
    "organisation-name",
    "routing-rule",
    "card-title",
    "card-step",
    "task-note",
    "activity-notes",
    "referral-reason",
    "accept-reason",
    "referral-outcome",
    "decline-reason",
)
REFERRAL_FIELDS = (
    "subject-name",
    "legal-basis-other",
    "referral-reason",
    "shared-information",
    "progress-note",
    "accept-reason",
    "referral-outcome",
    "measure-title",
)
INTERNAL_ONLY = ("internal-note", "accept-comment", "assign-reason", "task-note", "activity-notes")

PAGES = {
    "my concerns": Page("reporter", lambda h: reverse("concerns:mine"), ("subject-name",)),
    "new concern (people described before)": Page(
        "reporter", lambda h: reverse("concerns:new"), ("subject-name",)
    ),
    "draft": Page(
        "reporter",
        lambda h: reverse("concerns:edit", args=[h.draft.public_id]),
        ("subject-name", "draft-observations"),
    ),
    "reporter's view of the concern": Page(
        "reporter",
        lambda h: reverse("concerns:detail", args=[h.concern.public_id]),
        ("subject-name", "observations", "question", "reporter-reply"),
        hides=INTERNAL_ONLY,
    ),
    "inbox": Page(
        "coordinator", lambda h: reverse("concerns:inbox"), ("subject-name", "contact-name")
    ),
    "inbox search": Page(
        "coordinator",
        lambda h: reverse("concerns:inbox") + "?q=" + SCRIPT,
        ("subject-name", "contact-name"),
    ),
    "case page": Page(
        "coordinator",
        lambda h: reverse("concerns:detail", args=[h.concern.public_id]),
        CASE_PAGE_FIELDS,
    ),
    "history": Page(
        "coordinator",
        lambda h: reverse("concerns:history", args=[h.concern.public_id]),
        ("contact-name", "organisation-name"),
    ),
    "access log": Page(
        "coordinator",
        lambda h: reverse("concerns:access_log", args=[h.concern.public_id]),
        ("stated-purpose",),
    ),
    "new referral": Page(
        "coordinator",
        lambda h: reverse("referrals:new", args=[h.concern.public_id]),
        ("organisation-name", "contact-name", "measure-title"),
    ),
    "referral, referring side": Page(
        "coordinator",
        lambda h: reverse("referrals:detail", args=[h.referral.public_id]),
        REFERRAL_FIELDS,
    ),
    "declined referral": Page(
        "coordinator",
        lambda h: reverse("referrals:detail", args=[h.declined_referral.public_id]),
        ("subject-name", "decline-reason"),
    ),
    "referral, receiving side": Page(
        "nav_worker",
        lambda h: reverse("referrals:detail", args=[h.referral.public_id]),
        REFERRAL_FIELDS,
        hides=("observations", *INTERNAL_ONLY),
    ),
    "incoming referrals": Page(
        "nav_worker", lambda h: reverse("referrals:incoming"), ("subject-name",)
    ),
    "directory": Page(
        "reporter",
        lambda h: reverse("partners:directory"),
        ("contact-name", "organisation-name"),
    ),
    "directory search": Page(
        "reporter",
        lambda h: reverse("partners:directory") + "?q=" + SCRIPT,
        ("organisation-name", "organisation-description", "contact-name"),
    ),
    "action cards": Page(
        "reporter", lambda h: reverse("measures:action_cards"), ("card-title", "card-step")
    ),
    "plans": Page(
        "reporter",
        lambda h: reverse("measures:plans"),
        ("goal-area", "measure-title", "measure-description", "organisation-name"),
    ),
    "measure": Page(
        "coordinator",
        lambda h: reverse("measures:measure", args=[h.measure.pk]),
        ("goal-area", "measure-title", "measure-description", "organisation-name"),
    ),
    "admin: organisations": Page(
        "registry_admin",
        lambda h: reverse("admin:partners_organisation_changelist"),
        ("organisation-name",),
    ),
    "admin: organisation search": Page(
        "registry_admin",
        lambda h: reverse("admin:partners_organisation_changelist") + "?q=" + SCRIPT,
        ("organisation-name",),
    ),
    "admin: organisation": Page(
        "registry_admin",
        lambda h: reverse("admin:partners_organisation_change", args=[h.organisation.pk]),
        ("organisation-name", "organisation-description"),
    ),
    "admin: contacts": Page(
        "registry_admin",
        lambda h: reverse("admin:partners_contact_changelist"),
        ("contact-name", "organisation-name"),
    ),
    "admin: contact": Page(
        "registry_admin",
        lambda h: reverse("admin:partners_contact_change", args=[h.contact.pk]),
        ("contact-name", "organisation-name"),
    ),
    "admin: action cards": Page(
        "registry_admin", lambda h: reverse("admin:measures_actioncard_changelist"), ("card-title",)
    ),
    "admin: action card with its steps": Page(
        "registry_admin",
        lambda h: reverse("admin:measures_actioncard_change", args=[h.card.pk]),
        ("card-title", "card-step"),
    ),
    "admin: measure": Page(
        "registry_admin",
        lambda h: reverse("admin:measures_measure_change", args=[h.measure.pk]),
        ("measure-title", "measure-description", "organisation-name"),
    ),
    "admin: routing rules": Page(
        "registry_admin",
        lambda h: reverse("admin:concerns_routingrule_changelist"),
        ("routing-rule",),
    ),
    "admin: routing rule": Page(
        "registry_admin",
        lambda h: reverse("admin:concerns_routingrule_change", args=[h.rule.pk]),
        ("routing-rule", "contact-name", "organisation-name", "card-title"),
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_shows_hostile_text_escaped_and_nothing_runs(client, xss, page):
    spec = PAGES[page]
    client.force_login(getattr(xss, spec.viewer))
    response = client.get(spec.url(xss))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert_nothing_runs(html)
    for field in spec.shows:
        assert_shown_escaped(html, field)
    for field in spec.hides:
        assert f"[{field}]" not in html, f"{page} shows [{field}] to someone who may not see it"


def test_a_search_term_is_reflected_escaped(client, xss):
    client.force_login(xss.reporter)
    html = client.get(reverse("partners:directory"), {"q": IMG}).content.decode()
    assert f'value="{escape(IMG)}"' in html
    assert_nothing_runs(html)


def test_break_glass_admin_shows_case_text_escaped(client, xss):
    superuser = UserFactory(
        username="brekkglass", organisation=None, is_superuser=True, is_staff=True
    )
    client.force_login(superuser)
    url = reverse("admin:concerns_concern_change", args=[xss.concern.pk])
    assert client.post(url, {"reason": "Nødtilgang for en sikkerhetstest."}).status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert_nothing_runs(html)
    for field in ("observations", "internal-note", "question", "reporter-reply"):
        assert_shown_escaped(html, field)


def test_notifications_list_names_no_hostile_text(client, xss):
    process_outbox()
    reminder = Reminder.objects.get(concern=xss.concern, kind=NotificationKind.CONCERN_ROUTED)
    deliver(reminder.pk)
    client.force_login(xss.coordinator)
    html = client.get(reverse("notifications:list")).content.decode()
    assert xss.concern.reference in html
    assert_nothing_runs(html)
    assert "[subject-name]" not in html and "[observations]" not in html


def test_reminder_emails_carry_no_hostile_text(xss):
    xss.coordinator.email = "koordinator@example.org"
    xss.coordinator.save()
    process_outbox()
    for reminder in Reminder.objects.filter(concern=xss.concern):
        deliver(reminder.pk)
    assert mail.outbox, "the reminder sent no email"
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert xss.concern.reference in text
        for payload in PAYLOADS:
            assert payload not in text
        assert not FIELD_TAG.search(text), "free text from the case reached an email"


# --- javascript: URLs ---------------------------------------------------------------


def test_a_javascript_website_is_refused_by_the_model(trondheim):
    organisation = Organisation(slug="js-etat", name="JS-etat", kind="other", website=JS_URL)
    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()
    assert "website" in refused.value.message_dict


def test_a_javascript_website_is_refused_by_the_admin(world, trondheim):
    response = _admin_add(
        world.attackers["registry_admin"],
        "admin:partners_organisation_add",
        {
            "slug": "js-etat",
            "name": "JS-etat",
            "kind": "other",
            "municipalities": [trondheim.pk],
            "website": JS_URL,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "website" in response.context["adminform"].form.errors
    assert not Organisation.objects.filter(slug="js-etat").exists()


def test_a_javascript_website_is_refused_by_the_csv_import(world, trondheim):
    data = Dataset(
        headers=[
            "slug",
            "name",
            "kind",
            "municipalities",
            "parent",
            "description",
            "website",
            "is_active",
        ]
    )
    data.append(["js-etat", "JS-etat", "other", "trondheim", "", "", JS_URL, "1"])
    result = OrganisationResource(user=world.attackers["registry_admin"]).import_data(
        data, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
    )
    assert result.has_validation_errors()
    assert not Organisation.objects.filter(slug="js-etat").exists()


def test_a_javascript_website_that_slipped_in_is_not_rendered_as_a_link(client, people, trondheim):
    """Fixtures load raw and .update() skips validation: the page must not trust the row."""
    organisation = Organisation.objects.create(slug="js-etat", name="JS-etat", kind="other")
    organisation.municipalities.set([trondheim])
    Organisation.objects.filter(pk=organisation.pk).update(website=JS_URL)
    client.force_login(people.alice)
    html = client.get(reverse("partners:directory"), {"q": "JS-etat"}).content.decode()
    assert "JS-etat" in html
    assert not JAVASCRIPT_URL_ATTRIBUTE.search(html), "a javascript: website became a link"


# --- CSV export -----------------------------------------------------------------------

FORMULAS = ('=HYPERLINK("https://example.org","x")', "+1+1", "-1+1", "@SUM(1,1)")


def _export(client, model, resource_class) -> list[list[str]]:
    model_admin = admin.site._registry[model]
    formats = model_admin.get_export_formats()
    csv_index = next(i for i, fmt in enumerate(formats) if fmt().get_title() == "csv")
    prefix = resource_class.__name__.lower()
    data = {"format": str(csv_index), "resource": "0"}
    data.update({f"{prefix}_{name}": "on" for name in resource_class().get_export_order()})
    url_name = f"admin:{model._meta.app_label}_{model._meta.model_name}_export"
    response = client.post(reverse(url_name), data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def formula_registry(world, trondheim):
    """Registry text that a spreadsheet would run as a formula; returns the registry admin."""
    for index, formula in enumerate(FORMULAS):
        organisation = Organisation.objects.create(
            slug=f"formel-{index}", name=formula, kind="other", description=formula
        )
        organisation.municipalities.set([trondheim])
        Contact.objects.create(
            organisation=organisation, role=Contact.Role.COORDINATOR, name=formula
        )
    return world.attackers["registry_admin"]


@pytest.mark.parametrize(
    ("model", "resource_class"),
    [(Organisation, OrganisationResource), (Contact, ContactResource)],
)
def test_csv_export_defuses_spreadsheet_formulas(client, formula_registry, model, resource_class):
    client.force_login(formula_registry)
    rows = _export(client, model, resource_class)
    cells = [cell for row in rows[1:] for cell in row]
    for formula in FORMULAS:
        assert "'" + formula in cells, f"{formula} is not in the export as quoted text"
    dangerous = [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert dangerous == []
