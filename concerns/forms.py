from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerns.models import OBSERVATIONS_MAX_LENGTH, AgeBand, Concern, Subject, age_band_for
from concerns.national_id import normalise, parse_national_id
from concerns.selectors import recent_subjects_of_reporter, subjects_known_to_reporter
from concerns.services import ConcernDetails, SubjectDetails
from concerns.services.filing import subject_is_drafts_own
from concerns.uploads import MAX_PER_CONCERN, AttachmentsField
from config.widgets import DateInput
from measures.models import ActionCardStep, Phenomenon, Sign
from partners.models import District, Municipality, User

ACTION_DRAFT = "draft"
ACTION_SUBMIT = "submit"


def filing_steps_for(municipalities) -> list[tuple[str, str]]:
    """The steps a reporter may already have taken, from their municipality's action cards."""
    codes = set(
        ActionCardStep.objects.filter(card__municipality__in=municipalities)
        .exclude(filing_code="")
        .values_list("filing_code", flat=True)
    )
    return [(code, label) for code, label in ActionCardStep.FilingCode.choices if code in codes]


def signs_grouped_by_category(signs) -> list[tuple[str, list[tuple[int, str]]]]:
    """Checkbox choices under the helper tool's headings: relations, behaviour, attitudes …"""
    groups: dict[str, list[tuple[int, str]]] = {}
    for sign in signs:
        groups.setdefault(str(sign.category), []).append((sign.pk, str(sign)))
    return list(groups.items())


class ConcernForm(forms.Form):
    """One form for the person and the concern; it works without JavaScript."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), empty_label=None
    )
    existing_subject = forms.ModelChoiceField(
        label=_("A person you have reported before"),
        queryset=Subject.objects.none(),
        required=False,
        empty_label=_("No: I describe a new person below"),
        help_text=_(
            "The people you reported most recently. Not in the list? Describe the person "
            "below: the coordinator links concerns about the same person."
        ),
    )
    subject_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    subject_birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput)
    subject_birth_year = forms.IntegerField(
        label=_("Birth year, if you do not know the date"), required=False
    )
    subject_district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False
    )
    subject_school_or_workplace = forms.CharField(
        label=_("School or workplace"), max_length=200, required=False
    )
    subject_national_id = forms.CharField(
        label=_("National identity number (optional)"),
        max_length=14,
        required=False,
        help_text=_("Norwegian fødselsnummer (11 digits) or Danish CPR number (10 digits)."),
    )

    observations = forms.CharField(
        label=_("What have you observed?"),
        max_length=OBSERVATIONS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Describe what you saw or heard, and in which situation. "
            "Write what happened, not conclusions about the person."
        ),
    )
    observed_on = forms.DateField(label=_("When did you observe it?"), widget=DateInput)
    phenomenon = forms.ModelChoiceField(
        label=_("Which phenomenon does the concern relate to?"),
        queryset=Phenomenon.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    signs = forms.ModelMultipleChoiceField(
        label=_("Signs of concern you have noticed"),
        queryset=Sign.objects.filter(is_active=True).select_related("category"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Concern.Urgency.choices,
        initial=Concern.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    involves_conflict_travel = forms.BooleanField(
        label=_("The concern involves travel to or from an area with armed conflict"),
        required=False,
    )
    prevention_level = forms.ChoiceField(
        label=_("Prevention level"),
        choices=Concern.PreventionLevel.choices,
        initial=Concern.PreventionLevel.SELECTIVE,
        widget=forms.RadioSelect,
        help_text=_(
            "Universal: everyone. Selective: a person at risk. "
            "Indicated: a person who may already be a risk to others."
        ),
    )
    steps_done = forms.MultipleChoiceField(
        label=_("Steps you have already taken"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They are marked as done on the case's checklist."),
    )
    attachments = AttachmentsField()
    guardians_informed = forms.ChoiceField(
        label=_("Do the parents or guardians know about the concern? (under 18)"),
        choices=[
            ("", _("Not relevant: the person is 18 or over")),
            *Concern.GuardiansInformed.choices,
        ],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user: User, concern: Concern | None = None, **kwargs):
        if concern is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(concern)
        super().__init__(*args, **kwargs)
        self.user = user
        # "Save as draft" keeps whatever is filled in; what is there is still
        # checked (no birth date in the future), and Submit needs everything.
        self.is_draft_save = self.is_bound and self.data.get("action") == ACTION_DRAFT
        if self.is_draft_save:
            for name, field in self.fields.items():
                if name != "municipality":
                    field.required = False
        municipalities = Municipality.objects.filter(organisations=user.organisation_id).order_by(
            "name"
        )
        self.fields["municipality"].queryset = municipalities
        if len(municipalities) == 1:
            self.fields["municipality"].initial = municipalities[0]
            self.fields["municipality"].widget = forms.HiddenInput()
        self._offer_recent_subjects(user)
        self.fields["subject_district"].queryset = District.objects.filter(
            municipality__in=municipalities
        ).select_related("municipality")
        # Shown grouped; what may be picked is still checked against the queryset.
        self.fields["signs"].choices = signs_grouped_by_category(self.fields["signs"].queryset)
        self.fields["steps_done"].choices = filing_steps_for(municipalities)
        if concern is not None:
            # A draft's files count against the limit; they are listed above the field.
            self.fields["attachments"].limit = MAX_PER_CONCERN - concern.attachments.count()
        self.helper = self._build_helper()

    def _offer_recent_subjects(self, user: User) -> None:
        """Any of the reporter's people may be picked; the list shows the latest few.

        The one already chosen (a draft's person, or the value just posted)
        stays in the list, so a form shown again keeps it.
        """
        field = self.fields["existing_subject"]
        field.queryset = subjects_known_to_reporter(user)
        chosen = self.data.get("existing_subject") if self.is_bound else None
        chosen = chosen or self.initial.get("existing_subject")
        keep = int(chosen) if str(chosen or "").isdigit() else None
        field.widget.choices = [
            ("", field.empty_label),
            *((subject.pk, str(subject)) for subject in recent_subjects_of_reporter(user, keep)),
        ]

    @staticmethod
    def initial_from(concern: Concern) -> dict:
        return {
            "municipality": concern.municipality_id,
            **ConcernForm._person_initial(concern),
            "observations": concern.observations,
            "observed_on": concern.observed_on,
            "phenomenon": concern.phenomenon_id,
            "signs": list(concern.signs.values_list("pk", flat=True)),
            "urgency": concern.urgency,
            "involves_conflict_travel": concern.involves_conflict_travel,
            "prevention_level": concern.prevention_level,
            "guardians_informed": concern.guardians_informed,
            "steps_done": concern.steps_done_at_filing,
        }

    @staticmethod
    def _person_initial(concern: Concern) -> dict:
        """A person described in this draft alone stays editable; anyone else is picked."""
        subject = concern.subject
        if not subject_is_drafts_own(subject, concern, concern.reporter):
            return {"existing_subject": subject.pk}
        return {
            "subject_name": subject.name,
            "subject_birth_date": subject.birth_date,
            "subject_birth_year": None if subject.birth_date else subject.birth_year,
            "subject_district": subject.district_id,
            "subject_school_or_workplace": subject.school_or_workplace,
            "subject_national_id": subject.national_id,
        }

    def _build_helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            "municipality",
            Fieldset(
                _("Who is the concern about?"),
                "existing_subject",
                Div(
                    "subject_name",
                    Div(
                        Div("subject_birth_date", css_class="col-md-6"),
                        Div("subject_birth_year", css_class="col-md-6"),
                        css_class="row",
                    ),
                    "subject_district",
                    "subject_school_or_workplace",
                    "subject_national_id",
                    css_class="new-subject",
                ),
            ),
            Fieldset(
                _("What worries you?"),
                "observations",
                "observed_on",
                "phenomenon",
                "signs",
                HTML('{% include "concerns/partials/draft_attachments.html" %}'),
                "attachments",
            ),
            Fieldset(
                _("Urgency and assessment"),
                HTML('{% include "concerns/partials/acute_selected.html" %}'),
                "urgency",
                "steps_done",
                "involves_conflict_travel",
                "prevention_level",
                "guardians_informed",
            ),
        )
        return helper

    # --- validation -------------------------------------------------------------

    def clean_subject_name(self):
        return self.cleaned_data["subject_name"].strip()

    def clean_observations(self):
        text = self.cleaned_data["observations"].strip()
        if not text and not self.is_draft_save:
            raise ValidationError(_("Describe what you have observed."), code="required")
        return text

    def clean_observed_on(self):
        observed_on = self.cleaned_data["observed_on"]
        if observed_on is not None and observed_on > timezone.localdate():
            raise ValidationError(_("The date of the observation cannot be in the future."))
        return observed_on

    def clean_subject_birth_date(self):
        birth_date = self.cleaned_data["subject_birth_date"]
        if birth_date is None:
            return None
        today = timezone.localdate()
        if birth_date > today:
            raise ValidationError(_("The birth date cannot be in the future."))
        if birth_date < today.replace(year=today.year - 120):
            raise ValidationError(_("The birth date is more than 120 years ago."))
        return birth_date

    def clean_subject_birth_year(self):
        year = self.cleaned_data["subject_birth_year"]
        if year is None:
            return None
        this_year = timezone.localdate().year
        if not this_year - 120 <= year <= this_year:
            raise ValidationError(
                _("Enter a birth year between %(first)s and %(last)s."),
                params={"first": this_year - 120, "last": this_year},
            )
        return year

    def clean_subject_national_id(self):
        value = normalise(self.cleaned_data["subject_national_id"])
        if value:
            parse_national_id(value)  # raises a ValidationError with a clear message
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("existing_subject") is None:
            self._clean_new_subject(cleaned)
        subject_band = self._age_band(cleaned)
        if (
            subject_band == AgeBand.UNDER_18
            and not cleaned.get("guardians_informed")
            and not self.is_draft_save
        ):
            self.add_error(
                "guardians_informed",
                _("The person is under 18: say whether the parents or guardians know."),
            )
        if subject_band == AgeBand.ADULT:
            cleaned["guardians_informed"] = ""
        return cleaned

    def _clean_new_subject(self, cleaned: dict) -> None:
        submitting = not self.is_draft_save
        if submitting and not cleaned.get("subject_name") and "subject_name" not in self.errors:
            self.add_error(
                "subject_name", _("Enter the person's name, or pick a person you reported before.")
            )
        birth_date = cleaned.get("subject_birth_date")
        birth_year = cleaned.get("subject_birth_year")
        if (
            submitting
            and birth_date is None
            and birth_year is None
            and not self._has_errors("subject_birth_date", "subject_birth_year")
        ):
            self.add_error(
                "subject_birth_year", _("Enter the birth date or, if unknown, the birth year.")
            )
        if birth_date and birth_year and birth_date.year != birth_year:
            self.add_error("subject_birth_year", _("The birth year does not match the birth date."))
        national_id = cleaned.get("subject_national_id")
        if national_id and birth_date and parse_national_id(national_id).birth_date != birth_date:
            self.add_error(
                "subject_national_id", _("The identity number does not match the birth date.")
            )
        district = cleaned.get("subject_district")
        municipality = cleaned.get("municipality")
        if district and municipality and district.municipality_id != municipality.pk:
            self.add_error("subject_district", _("The district is not in the chosen municipality."))

    def _has_errors(self, *fields: str) -> bool:
        return any(field in self.errors for field in fields)

    def _age_band(self, cleaned: dict) -> str | None:
        on = cleaned.get("observed_on") or timezone.localdate()
        subject = cleaned.get("existing_subject")
        if subject is not None:
            return subject.age_band(on=on)
        birth_date, birth_year = (
            cleaned.get("subject_birth_date"),
            cleaned.get("subject_birth_year"),
        )
        if birth_date is None and birth_year is None:
            return None
        return age_band_for(birth_date=birth_date, birth_year=birth_year, on=on)

    # --- what the services receive -----------------------------------------------

    def subject_details(self) -> SubjectDetails:
        data = self.cleaned_data
        return SubjectDetails(
            name=data["subject_name"],
            birth_date=data["subject_birth_date"],
            birth_year=data["subject_birth_year"],
            district=data["subject_district"],
            school_or_workplace=(data.get("subject_school_or_workplace") or "").strip(),
            national_id=data.get("subject_national_id") or "",
        )

    def concern_details(self) -> ConcernDetails:
        data = self.cleaned_data
        return ConcernDetails(
            observations=data.get("observations") or "",
            observed_on=data.get("observed_on"),
            phenomenon=data.get("phenomenon"),
            signs=list(data.get("signs") or []),
            urgency=data.get("urgency") or Concern.Urgency.NORMAL,
            involves_conflict_travel=bool(data.get("involves_conflict_travel")),
            prevention_level=data.get("prevention_level") or Concern.PreventionLevel.SELECTIVE,
            guardians_informed=data.get("guardians_informed") or "",
            steps_done_at_filing=list(data.get("steps_done") or []),
        )
