"""Forms for transfers and handovers: input validation only; the services decide and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerns.models import Concern
from config.widgets import DateInput
from partners.models import Municipality
from referrals.models import DEFAULT_TRANSFER_PARTS, Handover, LegalBasis, TransferPart
from referrals.transfers.services import (
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    HandoverDetails,
    TransferDetails,
    receiving_municipalities_for,
)

ALWAYS_SENT = _(
    "The person (name, birth date or year, school or workplace) and the case's facts "
    "(reference number, phenomenon, urgency, prevention level) always go. The national "
    "identity number never does."
)


def _legal_basis_fields(form: forms.Form, concern: Concern) -> None:
    form.fields["legal_basis"].choices = [
        (basis.code, str(basis)) for basis in LegalBasis.for_country(concern.municipality.country)
    ]


def _check_other_basis(form: forms.Form, cleaned: dict) -> None:
    if (
        cleaned.get("legal_basis") == LegalBasis.OTHER
        and not cleaned.get("legal_basis_other", "").strip()
    ):
        form.add_error("legal_basis_other", _("Describe the other legal basis."))


class TransferForm(forms.Form):
    receiving_municipality = forms.ModelChoiceField(
        label=_("Transfer to"),
        queryset=Municipality.objects.none(),
        empty_label=_("Choose a municipality"),
        help_text=_("Its coordinators are told, and see exactly what you send, nothing else."),
    )
    parts = forms.MultipleChoiceField(
        label=_("What goes with it"),
        choices=TransferPart.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=ALWAYS_SENT,
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis for sharing"), choices=[], widget=forms.RadioSelect
    )
    legal_basis_other = forms.CharField(
        label=_("Other legal basis"), max_length=300, required=False
    )
    note = forms.CharField(
        label=_("Note to the receiving coordinator"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the case moves, e.g. the person has moved to the municipality."),
    )

    def __init__(self, *args, concern: Concern, **kwargs):
        kwargs.setdefault("initial", {"parts": list(DEFAULT_TRANSFER_PARTS)})
        super().__init__(*args, **kwargs)
        self.fields["receiving_municipality"].queryset = receiving_municipalities_for(concern)
        _legal_basis_fields(self, concern)

    def clean(self):
        cleaned = super().clean()
        _check_other_basis(self, cleaned)
        return cleaned

    def details(self) -> TransferDetails:
        data = self.cleaned_data
        return TransferDetails(
            receiving_municipality=data["receiving_municipality"],
            parts=data["parts"],
            legal_basis=data["legal_basis"],
            legal_basis_other=data.get("legal_basis_other", ""),
            note=data["note"],
        )


class HandoverForm(forms.Form):
    recipient = forms.CharField(
        label=_("Handed over to"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("The body, not a person: e.g. another municipality's child welfare service."),
    )
    channel = forms.ChoiceField(
        label=_("How"), choices=Handover.Channel.choices, widget=forms.RadioSelect
    )
    parts = forms.MultipleChoiceField(
        label=_("What goes in the PDF"),
        choices=TransferPart.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=ALWAYS_SENT,
    )
    hide_staff_names = forms.BooleanField(
        label=_("Hide staff names"),
        required=False,
        initial=True,
        help_text=_("Each member of staff is written as her role and organisation instead."),
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis for sharing"), choices=[], widget=forms.RadioSelect
    )
    legal_basis_other = forms.CharField(
        label=_("Other legal basis"), max_length=300, required=False
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, concern: Concern, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "parts": [TransferPart.CONCERN, TransferPart.OUTCOME, TransferPart.TIMELINE],
                "hide_staff_names": True,
            },
        )
        super().__init__(*args, **kwargs)
        _legal_basis_fields(self, concern)

    def clean(self):
        cleaned = super().clean()
        _check_other_basis(self, cleaned)
        return cleaned

    def details(self) -> HandoverDetails:
        data = self.cleaned_data
        return HandoverDetails(
            recipient=data["recipient"],
            channel=data["channel"],
            parts=data["parts"],
            hide_staff_names=data["hide_staff_names"],
            legal_basis=data["legal_basis"],
            legal_basis_other=data.get("legal_basis_other", ""),
            note=data["note"],
        )


class ReceiptForm(forms.Form):
    received_by = forms.CharField(
        label=_("Received by"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Who at the recipient confirmed it, as they signed."),
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day it was received cannot be in the future."))
        return day
