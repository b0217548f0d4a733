"""Input for meetings, validated on the server, field by field. Services check the rules."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.widgets import DateInput, FilterableCheckboxes
from measures.meetings.models import AgendaItem, MeetingDecision, MeetingKind
from measures.meetings.services import (
    DECISION_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    chair_candidates,
    forum_bases,
    participant_candidates,
)
from measures.statistics.figures import COLUMNS, PERIOD_LABELS
from measures.statistics.forms import FIRST_YEAR
from partners.models import Municipality, Organisation


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class ContactChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, contact):
        return f"{contact.name} ({contact.organisation.name})"


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        organisation = f" ({user.organisation})" if user.organisation_id else ""
        return f"{user.get_full_name() or user.username}{organisation}"


class MeetingForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), empty_label=None
    )
    kind = forms.ModelChoiceField(label=_("Kind of meeting"), queryset=MeetingKind.objects.none())
    date = forms.DateField(label=_("Date"), widget=DateInput)
    starts = forms.TimeField(label=_("Starts"), widget=TimeInput)
    ends = forms.TimeField(label=_("Ends"), widget=TimeInput)
    place = forms.CharField(label=_("Place"), max_length=200)
    chair = UserChoice(label=_("Chair"), queryset=None)
    participants = ContactChoice(
        label=_("Invited participants"),
        queryset=None,
        widget=FilterableCheckboxes,
        help_text=_("From the contact registry. Attendance is recorded after the meeting."),
    )
    statistics_year = forms.TypedChoiceField(
        label=_("Statistics for the year"), coerce=int, required=False, empty_value=None
    )
    statistics_period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[("", "—")]
        + [(column, PERIOD_LABELS[column]) for column in ("year", "h1", "h2", *COLUMNS[:4])],
        help_text=_("Police council only: the statistics report goes with the meeting."),
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = list(municipalities)
        self.fields["municipality"].queryset = Municipality.objects.filter(
            pk__in=[m.pk for m in municipalities]
        ).order_by("name")
        chosen = self._chosen_municipality(municipalities)
        self.fields["kind"].queryset = MeetingKind.objects.filter(
            municipality=chosen, is_active=True
        ).order_by("order")
        self.fields["chair"].queryset = chair_candidates(chosen)
        self.fields["participants"].queryset = participant_candidates(chosen)
        this_year = timezone.localdate().year
        self.fields["statistics_year"].choices = [("", "—")] + [
            (year, year) for year in range(this_year, FIRST_YEAR - 1, -1)
        ]
        if len(municipalities) < 2:
            self.fields["municipality"].widget = forms.HiddenInput()

    def _chosen_municipality(self, municipalities):
        raw = self.data.get("municipality") if self.is_bound else self.initial.get("municipality")
        for municipality in municipalities:
            if str(municipality.pk) == str(getattr(raw, "pk", raw)):
                return municipality
        return municipalities[0] if municipalities else None

    def clean(self):
        data = super().clean()
        date, starts, ends = data.get("date"), data.get("starts"), data.get("ends")
        if date and starts and ends:
            zone = timezone.get_current_timezone()
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(date, starts), zone)
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(date, ends), zone)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("ends", _("The meeting must end after it starts."))
        if bool(data.get("statistics_year")) != bool(data.get("statistics_period")):
            self.add_error("statistics_period", _("Choose both a year and a period, or neither."))
        return data


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200)
    text = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=TEXT_MAX_LENGTH,
    )


class CaseItemForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number of the case"),
        max_length=20,
        help_text=_("A case you handle, e.g. BEK-2026-000012. It is discussed anonymously."),
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class FindingForm(forms.Form):
    place = forms.CharField(label=_("Place"), max_length=200)
    finding = forms.ChoiceField(label=_("What was found"), choices=AgendaItem.Finding.choices)
    text = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=TEXT_MAX_LENGTH,
    )
    department = forms.CharField(
        label=_("Department responsible for following up"), max_length=200, required=False
    )


class PresentationForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=TEXT_MAX_LENGTH,
        required=False,
    )


class BasisForm(forms.Form):
    named = forms.TypedChoiceField(
        label=_("How is the case discussed?"),
        choices=[
            ("0", _("Anonymously: participants read the presentation only")),
            ("1", _("By name, on a legal basis: participants read a summary of the case")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), required=False, widget=forms.RadioSelect
    )
    legal_basis_other = forms.CharField(
        label=_("Describe the other basis"), max_length=500, required=False
    )
    consent_person = forms.BooleanField(label=_("The person has consented"), required=False)
    consent_guardians = forms.BooleanField(
        label=_("The guardians have consented (required under 18)"), required=False
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].choices = [
            (basis.code, str(basis)) for basis in forum_bases(meeting)
        ]


class SendForm(forms.Form):
    warnings_seen = forms.BooleanField(
        label=_("I have looked at what may identify someone, and the agenda can go out"),
        required=False,
    )


class HeldForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label=_("Who came"), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(p.contact_id), f"{p.contact.name} ({p.contact.organisation.name})")
            for p in participants
        ]


class DecisionForm(forms.Form):
    """One item's decision. The choices are read once per page and handed to every item's form."""

    kind = forms.ChoiceField(label=_("Decision"), choices=MeetingDecision.Kind.choices)
    text = forms.CharField(
        label=_("What was decided"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=DECISION_MAX_LENGTH,
    )
    assignee = forms.TypedChoiceField(label=_("Task for"), coerce=int, required=False)
    due_on = forms.DateField(label=_("Due"), widget=DateInput, required=False)
    organisation = forms.TypedChoiceField(
        label=_("Suggested referral to"), coerce=int, required=False
    )

    def __init__(self, *args, item, choices: "DecisionChoices", **kwargs):
        kwargs.setdefault("prefix", f"item{item.pk}")
        super().__init__(*args, **kwargs)
        assignees = choices.any_contact if item.is_finding else choices.participants
        self.fields["assignee"].choices = [("", "—"), *assignees]
        self.fields["organisation"].choices = [("", "—"), *choices.organisations]
        if not item.is_case:
            self.fields["kind"].choices = [
                (MeetingDecision.Kind.TASK, MeetingDecision.Kind.TASK.label),
                (MeetingDecision.Kind.ADVICE, MeetingDecision.Kind.ADVICE.label),
            ]
            del self.fields["organisation"]


class DecisionChoices:
    """Who may get a task and where a referral may go, for every item of one meeting."""

    def __init__(self, meeting):
        contacts = list(participant_candidates(meeting.municipality))
        invited = set(meeting.participants.values_list("contact_id", flat=True))
        label = "{} ({})".format
        self.any_contact = [(c.pk, label(c.name, c.organisation.name)) for c in contacts]
        self.participants = [
            (c.pk, label(c.name, c.organisation.name)) for c in contacts if c.pk in invited
        ]
        self.organisations = list(
            Organisation.objects.filter(is_active=True, municipalities=meeting.municipality)
            .order_by("name")
            .values_list("pk", "name")
        )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("General notes"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=TEXT_MAX_LENGTH,
    )


class PreviewForm(forms.Form):
    participant = forms.TypedChoiceField(label=_("Participant"), coerce=int)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [
            (p.contact_id, f"{p.contact.name} ({p.contact.organisation.name})")
            for p in participants
        ]
