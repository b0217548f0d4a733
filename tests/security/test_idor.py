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
    "concerns:reply": lambda w: {"public_id": w.case.public_id},
    "concerns:task_done": lambda w: {"public_id": w.case.public_id, "task_id": w.task.pk},
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
    "notifications:read": lambda w: {"pk": w.notification.pk},
    "mentoring:detail": lambda w: {"public_id": w.mentorship.public_id},
    "mentoring:propose": lambda w: {"concern_id": w.case.public_id},
}
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
