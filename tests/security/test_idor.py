"""Every URL that takes an object id, asked for by everyone who must not see the object.

The list of URLs comes from the URL conf itself: an object URL added later
without an entry in OBJECT_URLS fails test_every_object_url_is_covered, so
nobody can add one and forget its outsider test. Admin URLs are covered by
test_admin_tenancy.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from concerns.views import CASE_ACTIONS
from partners.identity.models import SecurityEvent
from referrals.transfers.views import TRANSFER_ACTIONS
from referrals.views import ACTIONS as REFERRAL_ACTIONS

pytestmark = pytest.mark.django_db

# URL name → the kwargs that point it at the world's objects.
OBJECT_URLS = {
    "concerns:detail": lambda w: {"public_id": w.case.public_id},
    "concerns:edit": lambda w: {"public_id": w.case.public_id},
    "concerns:receipt": lambda w: {"public_id": w.case.public_id},
    "concerns:purpose": lambda w: {"public_id": w.case.public_id},
    "concerns:history": lambda w: {"public_id": w.case.public_id},
    "concerns:access_log": lambda w: {"public_id": w.case.public_id},
    "concerns:journal": lambda w: {"public_id": w.case.public_id},
    "concerns:reply": lambda w: {"public_id": w.case.public_id},
    "concerns:task_done": lambda w: {"public_id": w.case.public_id, "task_id": w.task.pk},
    "concerns:task_decline": lambda w: {"public_id": w.case.public_id, "task_id": w.task.pk},
    **{
        f"concerns:action[{action}]": (
            lambda w, action=action: {"public_id": w.case.public_id, "action": action}
        )
        for action in CASE_ACTIONS
    },
    "concerns:chronology": lambda w: {"public_id": w.case.subject.public_id},
    "concerns:access_request": lambda w: {"public_id": w.case.subject.public_id},
    "concerns:national_id": lambda w: {"public_id": w.case.public_id},
    "concerns:legal_hold": lambda w: {"public_id": w.case.public_id},
    "concerns:attachment": lambda w: {
        "public_id": w.case.public_id,
        "attachment_id": w.attachment.public_id,
    },
    "referrals:files": lambda w: {"public_id": w.referral.public_id},
    "referrals:attachment": lambda w: {
        "public_id": w.referral.public_id,
        "attachment_id": w.attachment.public_id,
    },
    "referrals:new": lambda w: {"concern_id": w.case.public_id},
    "referrals:detail": lambda w: {"public_id": w.referral.public_id},
    **{
        f"referrals:action[{action}]": (
            lambda w, action=action: {"public_id": w.referral.public_id, "action": action}
        )
        for action in REFERRAL_ACTIONS
    },
    "referrals:transfer_new": lambda w: {"concern_id": w.case.public_id},
    "referrals:transfer": lambda w: {"public_id": w.transfer.public_id},
    **{
        f"referrals:transfer_action[{action}]": (
            lambda w, action=action: {"public_id": w.transfer.public_id, "action": action}
        )
        for action in TRANSFER_ACTIONS
    },
    "referrals:handover_new": lambda w: {"concern_id": w.case.public_id},
    "referrals:handover": lambda w: {"public_id": w.handover.public_id},
    "referrals:handover_pdf": lambda w: {"public_id": w.handover.public_id},
    "referrals:handover_receipt": lambda w: {"public_id": w.handover.public_id},
    "notifications:read": lambda w: {"pk": w.notification.pk},
    "mentoring:detail": lambda w: {"public_id": w.mentorship.public_id},
    "mentoring:propose": lambda w: {"concern_id": w.case.public_id},
    "meetings:detail": lambda w: {"public_id": _meeting(w).public_id},
    "meetings:edit": lambda w: {"public_id": _meeting(w).public_id},
    "meetings:item_add": lambda w: {"public_id": _meeting(w).public_id, "kind": "topic"},
    "meetings:item": lambda w: {"public_id": _meeting(w).public_id, "item_id": _meeting_item(w).pk},
    "meetings:item_remove": lambda w: {
        "public_id": _meeting(w).public_id,
        "item_id": _meeting_item(w).pk,
    },
    "meetings:summary": lambda w: {
        "public_id": _meeting(w).public_id,
        "item_id": _meeting_item(w).pk,
    },
    "meetings:decision": lambda w: {
        "public_id": _meeting(w).public_id,
        "item_id": _meeting_item(w).pk,
    },
    "meetings:preview": lambda w: {"public_id": _meeting(w).public_id},
    "meetings:send": lambda w: {"public_id": _meeting(w).public_id},
    "meetings:held": lambda w: {"public_id": _meeting(w).public_id},
    "meetings:cancel": lambda w: {"public_id": _meeting(w).public_id},
    "meetings:minutes": lambda w: {"public_id": _meeting(w).public_id},
    "meetings:minutes_print": lambda w: {"public_id": _meeting(w).public_id},
    "meetings:invitation": lambda w: {"public_id": _meeting(w).public_id},
    "meetings:task_done": lambda w: {"pk": _meeting_task(w).pk},
}


def _meeting(world):
    """A Kontaktforum meeting in the world's municipality, the case on its agenda, sent, with a
    task for the coordinator: none of the attackers is invited."""
    if not hasattr(world, "meeting"):
        import datetime

        from django.utils import timezone

        from measures.meetings import services
        from measures.meetings.models import MeetingKind
        from partners.models import Contact

        kind = MeetingKind.objects.create(
            municipality=world.case.municipality,
            code="kontaktforum",
            category="kontaktforum",
            name_nb="Kontaktforum",
            name_da="Kontaktforum",
            name_en="Kontaktforum",
        )
        starts = timezone.now() + datetime.timedelta(days=1)
        contact = Contact.objects.get(user=world.coordinator)
        world.meeting = services.meeting_create(
            municipality=world.case.municipality,
            details=services.MeetingDetails(
                kind=kind,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                place="Rådhuset",
                chair=world.coordinator,
                participants=(contact,),
            ),
            actor=world.coordinator,
        )
        world.meeting_item = services.agenda_item_add_case(
            meeting=world.meeting, concern=world.case, actor=world.coordinator
        )
        services.meeting_send_agenda(
            meeting=world.meeting, actor=world.coordinator, warnings_seen=True
        )
        world.meeting_item.refresh_from_db()
        world.meeting_task = services.decision_record(
            item=world.meeting_item,
            kind="task",
            text="Oppgave.",
            assignee=contact,
            due_on=timezone.localdate() + datetime.timedelta(days=2),
            actor=world.coordinator,
        )
    return world.meeting


def _meeting_item(world):
    _meeting(world)
    return world.meeting_item


def _meeting_task(world):
    _meeting(world)
    return world.meeting_task


# Object URLs that are not about anyone: open to every signed-in user on purpose.
PUBLIC_OBJECT_URLS = {
    "measures:measure": "a measure of a municipality's published plan, counts only",
    "measures:initiative": "an initiative of a municipality's published plan, counts only",
    # Its argument names a table, not an object; who may read which municipality's
    # protected figures is tested in tests/measures/test_statistics.py.
    "statistics:csv": "a table of protected counts for the reader's own municipalities",
    # Their argument is an identity provider's slug, shown on the sign-in page
    # to everyone; what they accept is tested in tests/partners/test_sso.py.
    "identity:sso_start": "sends the browser to a provider listed on the sign-in page",
    "identity:sso_callback": "accepts only the state this browser's session started",
    "identity:sso_backchannel_logout": "accepts only a logout token the provider signed",
}


def _object_url_names(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            inner = pattern.namespace or namespace
            yield from _object_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.pattern.converters:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _url(world, key: str) -> str:
    name = key.split("[")[0]
    return reverse(name, kwargs=OBJECT_URLS[key](world))


def test_every_object_url_is_covered():
    covered = {key.split("[")[0] for key in OBJECT_URLS} | set(PUBLIC_OBJECT_URLS)
    missing = sorted(set(_object_url_names()) - covered)
    assert not missing, f"Object URLs without an outsider test: {missing}"


ATTACKERS = [
    "other_mentor",
    "colleague",
    "other_organisation",
    "other_municipality",
    "registry_admin",
    "model_wide_permissions",
]


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize("key", list(OBJECT_URLS))
def test_outsiders_get_404_and_the_refusal_is_logged(client, world, attacker, key):
    user = world.attackers[attacker]
    client.force_login(user)
    url = _url(world, key)
    response = client.get(url)
    if response.status_code == 405:  # a POST-only action
        response = client.post(url, {"reason": "x", "text": "x", "comment": "x"})
    assert response.status_code == 404, (key, attacker, response.status_code)
    body = response.content.decode()
    assert world.case.reference not in body
    assert "Hemmelig observasjon" not in body
    assert SecurityEvent.objects.filter(
        user=user, kind=SecurityEvent.Kind.ACCESS_DENIED
    ).exists(), f"{key} refused {attacker} without a line in the security log"


@pytest.mark.parametrize("key", list(OBJECT_URLS))
def test_a_missing_object_looks_exactly_like_a_forbidden_one(client, world, key):
    client.force_login(world.attackers["other_municipality"])
    kwargs = OBJECT_URLS[key](world)
    for name in list(kwargs):
        if name in ("public_id", "concern_id"):
            kwargs[name] = uuid.uuid4()
        elif name in ("pk", "task_id"):
            kwargs[name] = 10**9
    url = reverse(key.split("[")[0], kwargs=kwargs)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    assert response.status_code == 404
