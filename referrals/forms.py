from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerns.models import Attachment, Concern
from config.widgets import DateInput
from measures.models import Initiative, Measure, PreventionCorps
from partners.calendars import deadline_for
from partners.models import Contact, DeadlineRule, Organisation
from referrals.models import LegalBasis
from referrals.services import TEXT_MAX_LENGTH, ReferralDetails

ACTION_SEND = "send"


class ContactSelect(forms.Select):
    """Each contact option says its organisation, so the list can follow the chosen one."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-organisation"] = str(instance.organisation_id)
        return option


class ReferralForm(forms.Form):
    receiving_organisation = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Organisation.objects.none()
    )
    receiving_contact = forms.ModelChoiceField(
        label=_("Contact person (optional)"),
        queryset=Contact.objects.none(),
        required=False,
        widget=ContactSelect,
    )
    reason = forms.CharField(
        label=_("Why are you referring?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared_information = forms.CharField(
        label=_("What do you share with them?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The receiving organisation sees only this text and the person's name and birth year."
        ),
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis for sharing"), choices=[], widget=forms.RadioSelect
    )
    legal_basis_other = forms.CharField(
        label=_("Other legal basis"), max_length=300, required=False
    )
    requested_measures = forms.ModelMultipleChoiceField(
        label=_("Requested measures"),
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requested_initiatives = forms.ModelMultipleChoiceField(
        label=_("Requested initiatives"),
        queryset=Initiative.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requested_corps = forms.ModelMultipleChoiceField(
        label=_("Requested prevention corps"),
        queryset=PreventionCorps.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    shared_attachments = forms.ModelMultipleChoiceField(
        label=_("Files they may open"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They see only the files you tick, and none of the others."),
    )
    response_due = forms.DateField(label=_("Answer wanted by"), widget=DateInput)

    def __init__(self, *args, concern: Concern, **kwargs):
        # The municipality's rule (e.g. 10 working days) proposes the date; the
        # sender may pick another.
        due = deadline_for(concern.municipality, DeadlineRule.Kind.REFERRAL_RESPONSE)
        kwargs.setdefault("initial", {"response_due": due.due_date})
        super().__init__(*args, **kwargs)
        municipality = concern.municipality_id
        self.fields["receiving_organisation"].queryset = Organisation.objects.filter(
            is_active=True, municipalities=municipality
        ).order_by("name")
        self.fields["receiving_contact"].queryset = Contact.objects.filter(
            is_active=True, organisation__municipalities=municipality
        ).select_related("organisation")
        self.fields["legal_basis"].choices = [
            (basis.code, str(basis))
            for basis in LegalBasis.for_country(concern.municipality.country)
        ]
        self.fields["requested_measures"].queryset = Measure.objects.filter(
            municipality=municipality
        )
        self.fields["requested_initiatives"].queryset = Initiative.objects.filter(
            municipality=municipality
        )
        if concern.municipality.code == "aalborg":
            self.fields["requested_corps"].queryset = PreventionCorps.objects.all()
        self.fields["shared_attachments"].queryset = concern.attachments.all()
        for name in (
            "requested_measures",
            "requested_initiatives",
            "requested_corps",
            "shared_attachments",
        ):
            if not self.fields[name].queryset.exists():
                del self.fields[name]

    def clean_response_due(self):
        due = self.cleaned_data["response_due"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The response date cannot be in the past."))
        return due

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("legal_basis") == LegalBasis.OTHER
            and not cleaned.get("legal_basis_other", "").strip()
        ):
            self.add_error("legal_basis_other", _("Describe the other legal basis."))
        contact, organisation = (
            cleaned.get("receiving_contact"),
            cleaned.get("receiving_organisation"),
        )
        if contact and organisation and contact.organisation_id != organisation.pk:
            self.add_error(
                "receiving_contact", _("The contact must work in the receiving organisation.")
            )
        return cleaned

    def details(self) -> ReferralDetails:
        data = self.cleaned_data
        return ReferralDetails(
            receiving_organisation=data["receiving_organisation"],
            receiving_contact=data["receiving_contact"],
            reason=data["reason"],
            shared_information=data["shared_information"],
            legal_basis=data["legal_basis"],
            legal_basis_other=data.get("legal_basis_other", ""),
            response_due=data["response_due"],
            requested_measures=list(data.get("requested_measures", [])),
            requested_initiatives=list(data.get("requested_initiatives", [])),
            requested_corps=list(data.get("requested_corps", [])),
            shared_attachments=list(data.get("shared_attachments", [])),
        )


class ShareFilesForm(forms.Form):
    """Which of the case's files the receiving organisation may open."""

    shared_attachments = forms.ModelMultipleChoiceField(
        label=_("Files they may open"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They see only the files you tick, and none of the others."),
    )

    def __init__(self, *args, referral, **kwargs):
        kwargs.setdefault(
            "initial", {"shared_attachments": list(referral.shared_attachments.all())}
        )
        super().__init__(*args, **kwargs)
        self.fields["shared_attachments"].queryset = referral.concern.attachments.all()


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Progress note"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
