from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerns.models import Notification, NotificationKind, NotificationPreference
from concerns.permissions import deny


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
    """Email on or off per kind; in-app notifications are always on."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = dict(
            NotificationPreference.objects.filter(user=user).values_list("kind", "email")
        )
        for kind, label in NotificationKind.choices:
            self.fields[kind] = forms.BooleanField(
                label=label, required=False, initial=current.get(kind, True)
            )


@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for kind in NotificationKind.values:
                preference, _created = NotificationPreference.objects.get_or_create(
                    user=request.user, kind=kind
                )
                if preference.email != form.cleaned_data[kind]:
                    preference.email = form.cleaned_data[kind]
                    preference.save(update_fields=["email"])
        messages.success(request, _("Your email choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "concerns/notification_preferences.html", {"form": form})
