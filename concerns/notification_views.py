from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerns.models import (
    ALWAYS_ON_KINDS,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from concerns.permissions import deny
from concerns.reminders import notification_preferences_save


def _mine(request):
    return Notification.objects.filter(user=request.user, shown=True).select_related("reminder")


def notification_list(request):
    page = Paginator(_mine(request), 50).get_page(request.GET.get("page"))
    return render(request, "concerns/notifications.html", {"page": page})


@require_POST
def notification_read(request, pk):
    notification = _mine(request).filter(pk=pk).first()
    if notification is None:
        if Notification.objects.filter(pk=pk).exists():
            raise deny(request.user, f"notification {pk}")
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        if notification.reminder.link:
            return redirect(notification.reminder.link)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    with transaction.atomic():
        for notification in _mine(request).filter(read_at__isnull=True).select_for_update():
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return redirect("notifications:list")


class PreferencesForm(forms.Form):
    """Per kind: on the bell, by e-mail, or not at all. Acute alerts cannot be turned off."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = {
            preference.kind: preference
            for preference in NotificationPreference.objects.filter(user=user)
        }
        self.rows = []
        for kind, label in NotificationKind.choices:
            preference = current.get(kind)
            always = kind in ALWAYS_ON_KINDS
            for channel in ("in_app", "email"):
                name = f"{kind}__{channel}"
                self.fields[name] = forms.BooleanField(
                    label=_("On the bell") if channel == "in_app" else _("By e-mail"),
                    required=False,
                    disabled=always,
                    initial=True if always or preference is None else getattr(preference, channel),
                )
            self.rows.append(
                {
                    "label": label,
                    "always": always,
                    "in_app": self[f"{kind}__in_app"],
                    "email": self[f"{kind}__email"],
                }
            )

    def choices(self):
        """(kind, bell, e-mail) for every kind a user may change."""
        for kind in NotificationKind.values:
            if kind not in ALWAYS_ON_KINDS:
                yield (
                    kind,
                    self.cleaned_data[f"{kind}__in_app"],
                    self.cleaned_data[f"{kind}__email"],
                )


@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        notification_preferences_save(user=request.user, choices=list(form.choices()))
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "concerns/notification_preferences.html", {"form": form})
