from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.widgets import DateInput
from mentoring.models import NOTE_MAX_LENGTH, Corps, Language, LifeDomain, Mentorship

RATING_CHOICES = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]


def _not_in_future(date):
    if date and date > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return date


class ProposeForm(forms.Form):
    mentor = forms.TypedChoiceField(label=_("Mentor"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {c.member.pk: c for c in candidates}
        self.fields["mentor"].choices = [(c.member.pk, c.member.name) for c in candidates]

    def clean_mentor(self):
        return self.candidates[self.cleaned_data["mentor"]].member


class LanguageFilterForm(forms.Form):
    language = forms.ChoiceField(
        label=_("The mentee's language"), required=False, choices=[("", "—"), *Language.choices]
    )


class StartForm(forms.Form):
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput)
    mentee_consent = forms.BooleanField(
        label=_("The mentee has consented"),
        error_messages={"required": _("The mentee must consent before the mentorship starts.")},
    )
    guardian_consent = forms.ChoiceField(
        label=_("Have the guardians consented?"),
        choices=Mentorship.GuardianConsent.choices,
        widget=forms.RadioSelect,
    )


class EndForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Mentorship.Outcome.choices, widget=forms.RadioSelect
    )
    ends_on = forms.DateField(label=_("End date"), widget=DateInput)

    def clean_ends_on(self):
        return _not_in_future(self.cleaned_data["ends_on"])


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=600)
    domains = forms.MultipleChoiceField(
        label=_("Domains worked on"),
        choices=LifeDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you worked on, briefly. No one else's personal details."),
    )
    next_meeting_on = forms.DateField(label=_("Next meeting"), required=False, widget=DateInput)

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"])


class RatingsForm(forms.Form):
    """A review: a rating from 1 (hard) to 5 (going well) for each domain."""

    rated_on = forms.DateField(label=_("Review date"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in LifeDomain.choices:
            self.fields[code] = forms.TypedChoiceField(
                label=label, choices=RATING_CHOICES, coerce=int, required=False, empty_value=None
            )

    def clean_rated_on(self):
        return _not_in_future(self.cleaned_data["rated_on"])

    def ratings(self) -> dict[str, int]:
        return {
            code: self.cleaned_data[code]
            for code in LifeDomain.values
            if self.cleaned_data.get(code) is not None
        }

    def clean(self):
        data = super().clean()
        if not any(data.get(code) is not None for code in LifeDomain.values):
            raise forms.ValidationError(_("Rate at least one domain."))
        return data


class PlanForm(forms.Form):
    """Where the mentee stands at the start in each domain, and the goal."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in LifeDomain.choices:
            self.fields[f"{code}_baseline"] = forms.TypedChoiceField(
                label=label, choices=RATING_CHOICES, coerce=int, required=False, empty_value=None
            )
            self.fields[f"{code}_goal"] = forms.CharField(
                label=_("Goal: %(domain)s") % {"domain": label}, required=False, max_length=500
            )

    def goals(self) -> dict[str, tuple[int, str]]:
        return {
            code: (self.cleaned_data[f"{code}_baseline"], self.cleaned_data[f"{code}_goal"])
            for code in LifeDomain.values
            if self.cleaned_data.get(f"{code}_baseline") is not None
        }

    def clean(self):
        data = super().clean()
        for code in LifeDomain.values:
            if data.get(f"{code}_goal") and data.get(f"{code}_baseline") is None:
                self.add_error(f"{code}_baseline", _("Give the rating at the start as well."))
        return data


class GroupSessionForm(forms.Form):
    corps = forms.ChoiceField(label=_("Corps"), choices=Corps.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    participants = forms.IntegerField(
        label=_("Number of participants"), min_value=1, max_value=10_000
    )
    topic = forms.CharField(label=_("Topic"), max_length=200)
    plan_item = forms.ChoiceField(label=_("Measure or initiative"), required=False)

    def __init__(self, *args, plan_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        # "measure:12" or "initiative:3": the plan's own items, as Trondheim and Aalborg name them.
        self.plan_items = {f"{item._meta.model_name}:{item.pk}": item for item in plan_items}
        self.fields["plan_item"].choices = [
            ("", "—"),
            *[(key, str(item)) for key, item in self.plan_items.items()],
        ]

    def clean_plan_item(self):
        return self.plan_items.get(self.cleaned_data["plan_item"])

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"])


class SupervisionForm(forms.Form):
    """A supervision session with a psychologist, recorded by the mentor."""

    mentor = forms.TypedChoiceField(label=_("Mentor"), coerce=int)
    supervisor = forms.TypedChoiceField(label=_("Supervisor"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only you, the supervisor and the coordinator read these."),
    )

    def __init__(self, *args, members, supervisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {member.pk: member for member in members}
        self.supervisors = {contact.pk: contact for contact in supervisors}
        self.fields["mentor"].choices = [(pk, str(m)) for pk, m in self.members.items()]
        self.fields["supervisor"].choices = [
            (pk, f"{c.name} ({c.organisation})") for pk, c in self.supervisors.items()
        ]

    def clean_mentor(self):
        return self.members[self.cleaned_data["mentor"]]

    def clean_supervisor(self):
        return self.supervisors[self.cleaned_data["supervisor"]]

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"])
