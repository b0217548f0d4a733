"""History and access-log rows cannot be changed or deleted through any view or the admin,
by anyone, the superuser included (docs/security.md, "Audit tables cannot be changed")."""

import pytest
from django.contrib import admin
from django.urls import reverse

from concerns.models import AccessLog
from partners.identity.models import SecurityEvent
from partners.models import User
from tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db


def test_no_history_model_is_in_the_admin():
    historical = [
        model for model in admin.site._registry if model._meta.model_name.startswith("historical")
    ]
    assert historical == []


@pytest.mark.parametrize("model", [AccessLog, SecurityEvent])
def test_the_admin_refuses_to_change_or_delete_audit_rows_even_for_a_superuser(client, model):
    root = User.objects.create_superuser(username="root", password="irrelevant-here-123")
    if model is AccessLog:
        row = AccessLog.objects.create(
            concern=ConcernFactory(status="submitted"),
            user=root,
            view="detail",
            purpose="handler",
            reason="Opprinnelig grunn",
        )
    else:
        row = SecurityEvent.objects.create(kind="access_denied", user=root)
    client.force_login(root)
    opts = model._meta
    if model in admin.site._registry:
        model_admin = admin.site._registry[model]
        request = type("Request", (), {"user": root})()
        assert not model_admin.has_change_permission(request, row)
        assert not model_admin.has_delete_permission(request, row)
        delete_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
        client.post(delete_url, {"post": "yes"})
    assert model.objects.filter(pk=row.pk).exists()
    if model is AccessLog:
        assert AccessLog.objects.get(pk=row.pk).reason == "Opprinnelig grunn"
