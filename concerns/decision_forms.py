"""Forms for decisions with their reasons and for reviews after closing. Validation only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concerns.services.decisions import REASON_MAX_LENGTH


class TaskDeclineForm(forms.Form):
    """Deciding not to notify the police or child welfare, where a step suggests it."""

    reason = forms.CharField(
        label=_("Why not?"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Write why you decided not to notify.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    """A review of a case closed after its support ended."""

    note = forms.CharField(
        label=_("What did the review find?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Internal: never shown to the reporter."),
    )
    reopen = forms.BooleanField(
        label=_("Reopen the case: it needs follow-up again"),
        required=False,
        help_text=_("The note is kept as the reason for reopening."),
    )

    def __init__(self, *args, may_reopen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_reopen:
            # Reopening is the coordinator's alone (concerns.permissions).
            del self.fields["reopen"]
