"""Forms for the inbox filters and the case-page actions. Validation only; services write."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from concerns.models import (
    AgeBand,
    CaseActivity,
    CaseEvaluation,
    Concern,
    DeadlinePause,
    Subject,
)
from concerns.registry_choices import registry_choices
from concerns.selectors import DEFAULT_SORT, INBOX_SORTS, InboxFilters
from concerns.services.triage import TEXT_MAX_LENGTH
from concerns.uploads import AttachmentsField
from config.widgets import DateInput, FilterableCheckboxes
from measures.models import ActionCard, Goal, Initiative, Measure
from partners.models import Contact, Organisation


def _text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=[choice for choice in Concern.Status.choices if choice[0] != Concern.Status.DRAFT],
        widget=forms.CheckboxSelectMultiple,
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", "—"), *Concern.Urgency.choices]
    )
    # Plain id choices read with one small query each: model choice fields
    # built whole objects (and counted them) on every inbox view.
    phenomenon = forms.TypedChoiceField(label=_("Phenomenon"), required=False, coerce=int)
    age_band = forms.ChoiceField(
        label=_("Age band"), required=False, choices=[("", "—"), *AgeBand.choices]
    )
    district = forms.TypedChoiceField(label=_("District"), required=False, coerce=int)
    reporter_organisation = forms.TypedChoiceField(
        label=_("Reporter's organisation"), required=False, coerce=int
    )
    assignee = forms.TypedChoiceField(label=_("Assigned to"), required=False, coerce=int)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    unassigned = forms.BooleanField(label=_("Unassigned"), required=False)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in INBOX_SORTS])

    def __init__(self, *args, municipality_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        empty = [("", "—")]
        choices = registry_choices(municipality_ids)
        self.fields["phenomenon"].choices = empty + [
            (pk, str(phenomenon)) for pk, phenomenon in choices.phenomena
        ]
        self.fields["district"].choices = empty + choices.districts
        self.fields["reporter_organisation"].choices = empty + choices.organisations
        organisation_names = dict(choices.organisations)
        roles = dict(Contact.Role.choices)
        self.fields["assignee"].choices = empty + [
            (pk, f"{name} ({roles.get(role, role)}, {organisation_names[organisation_id]})")
            for pk, name, role, organisation_id in choices.contacts
        ]

    def toggles(self):
        return [self["unassigned"], self["overdue"]]

    def statuses(self) -> list[tuple[str, str, bool]]:
        """The status checkboxes as (value, label, checked)."""
        chosen = self["status"].value() or []
        return [(value, label, value in chosen) for value, label in self.fields["status"].choices]

    def lists(self) -> list[tuple[forms.BoundField, list[tuple[str, str, bool]]]]:
        """Each select with its options as (value, label, selected), worked out here once.

        Comparing each of some 80 options with the choice in the template, and
        localising each numeric value there, cost more than the options' markup.
        """
        names = ("urgency", "phenomenon", "age_band", "district", "reporter_organisation")
        lists = []
        for name in (*names, "assignee"):
            field = self[name]
            chosen = field.value()
            chosen = "" if chosen is None else str(chosen)
            options = [
                (str(value), str(label), str(value) == chosen)
                for value, label in field.field.choices
            ]
            lists.append((field, options))
        return lists

    def filters(self) -> InboxFilters:
        """The filters as the selector takes them; bad input is simply ignored by field."""
        data = self.cleaned_data if self.is_valid() else {}

        def pk(name):
            return data.get(name) or None

        return InboxFilters(
            text=data.get("q", "").strip(),
            statuses=data.get("status", []),
            urgency=data.get("urgency", ""),
            phenomenon_id=pk("phenomenon"),
            age_band=data.get("age_band", ""),
            district_id=pk("district"),
            reporter_organisation_id=pk("reporter_organisation"),
            assignee_id=pk("assignee"),
            overdue=data.get("overdue", False),
            unassigned=data.get("unassigned", False),
            sort=data.get("sort") or DEFAULT_SORT,
        )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=_text_area(2),
    )


NO_USER_ACCOUNT = _("no user account")


def assignee_label(contact: Contact) -> str:
    label = f"{contact.name} – {contact.get_role_display()}, {contact.organisation}"
    # A contact without an account cannot sign in, so the case would wait for the coordinator.
    return label if contact.user_id else f"{label} ({NO_USER_ACCOUNT})"


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=Contact.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX_LENGTH, widget=_text_area(2))

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = contacts
        self.fields["assignee"].label_from_instance = assignee_label


class CloseForm(forms.Form):
    """Closing is a decision: the outcome is chosen on purpose and confirmed."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose the outcome")), *Concern.Outcome.choices],
        widget=forms.RadioSelect,
    )
    reporter_message = forms.CharField(
        label=_("What the reporter is told"),
        max_length=TEXT_MAX_LENGTH,
        widget=_text_area(3),
        help_text=_(
            "Short and need-to-know, e.g. “The case is followed up by the services concerned. "
            "Thank you for raising it.” Never internal details."
        ),
    )
    # A decision not to act is reasoned in writing (concerns.services.decisions);
    # required with "no further action" only, so checked in clean().
    reason = forms.CharField(
        label=_("Why no further action?"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=_text_area(3),
        help_text=_(
            "Required when the outcome is “No further action”. Kept on the timeline and in the "
            "journal as an internal note; the reporter never sees it."
        ),
    )
    comment = forms.CharField(
        label=_("Internal comment (optional)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=_text_area(2),
    )
    # Support that has ended is reviewed after 6 and 12 months (concerns.reviews).
    # The case page ticks it when the case shows such support; the handler knows best.
    support_ended = forms.BooleanField(
        label=_("Support was given and has now ended (a mentorship or a measure)"),
        required=False,
        help_text=_(
            "The case is then brought up for review after the municipality's review periods."
        ),
    )
    # The course-of-work evaluation: fixed choices only, counted in the statistics.
    help_timely = forms.ChoiceField(
        label=CaseEvaluation._meta.get_field("help_timely").verbose_name,
        choices=CaseEvaluation.Timely.choices,
        widget=forms.RadioSelect,
    )
    partners = forms.MultipleChoiceField(
        label=_("Which partners took part?"),
        choices=CaseEvaluation.Partner.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    situation_change = forms.ChoiceField(
        label=CaseEvaluation._meta.get_field("situation_change").verbose_name,
        choices=CaseEvaluation.Change.choices,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I have checked that the case can be closed now."),
        error_messages={"required": _("Tick the box to confirm that you are closing the case.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A radio list with no "empty" radio: nothing is chosen until the handler chooses.
        self.fields["outcome"].choices = Concern.Outcome.choices
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "outcome",
            "reason",
            "reporter_message",
            "comment",
            "support_ended",
            Fieldset(
                _("Evaluation of the course of work"),
                HTML(
                    '<p class="small text-body-secondary">{}</p>'.format(
                        _(
                            "Counted in the statistics for the police council and the "
                            "plan's follow-up, never shown with the case's name."
                        )
                    )
                ),
                "help_timely",
                "partners",
                "situation_change",
            ),
            "confirm",
        )

    def clean(self):
        data = super().clean()
        no_further_action = data.get("outcome") == Concern.Outcome.NO_FURTHER_ACTION
        reason = (data.get("reason") or "").strip()
        if no_further_action and not reason:
            self.add_error("reason", _("Write why no further action is needed."))
        elif data.get("outcome") and not no_further_action and reason:
            # Not kept silently elsewhere: the handler decides where the text belongs.
            self.add_error(
                "reason",
                _(
                    "A reason is asked for with “No further action” only. Clear it, or move "
                    "it to the internal comment."
                ),
            )
        return data


class AcknowledgeForm(forms.Form):
    """Nothing to fill in: the button is the statement."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX_LENGTH, widget=_text_area(2))


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"), max_length=TEXT_MAX_LENGTH, widget=_text_area(3)
    )
    attachments = AttachmentsField()


class RequestInfoForm(forms.Form):
    message = forms.CharField(
        label=_("What do you need to know from the reporter?"),
        max_length=TEXT_MAX_LENGTH,
        widget=_text_area(3),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), max_length=TEXT_MAX_LENGTH, widget=_text_area(4))


class _SubjectChoiceField(forms.ModelChoiceField):
    digest = ""

    def label_from_instance(self, obj):
        if self.digest and obj.national_id_digest == self.digest:
            return _("%(person)s: the same national identity number") % {"person": obj}
        return str(obj)


class LinkSubjectForm(forms.Form):
    same_as = _SubjectChoiceField(label=_("Same person as"), queryset=Subject.objects.none())

    def __init__(self, *args, candidates, digest: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["same_as"].queryset = candidates
        self.fields["same_as"].digest = digest


class PurposeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this case?"),
        min_length=10,
        max_length=500,
        widget=_text_area(2),
        help_text=_(
            "You are not assigned to this case. Your reason is written to the case's access log."
        ),
    )


class RevealNationalIdForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full number?"),
        min_length=10,
        max_length=500,
        widget=_text_area(2),
        help_text=_("Your reason is written to the case's access log."),
    )


class ApplyCardForm(forms.Form):
    card = forms.ModelChoiceField(label=_("Action card"), queryset=ActionCard.objects.none())

    def __init__(self, *args, concern: Concern, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the case's own municipality's procedure.
        self.fields["card"].queryset = ActionCard.objects.filter(
            municipality=concern.municipality_id
        )


class TaskDoneForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=TEXT_MAX_LENGTH)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=CaseActivity.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Participants' organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=FilterableCheckboxes,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=TEXT_MAX_LENGTH, widget=_text_area(2)
    )
    attachments = AttachmentsField()
    measures = forms.ModelMultipleChoiceField(
        label=_("Measures it implements"),
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    initiatives = forms.ModelMultipleChoiceField(
        label=_("Initiatives it belongs to"),
        queryset=Initiative.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    goals = forms.ModelMultipleChoiceField(
        label=_("Goals it serves"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, concern: Concern, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(
            is_active=True, municipalities=concern.municipality_id
        ).order_by("name")
        # Each municipality counts its work against its own plan: Trondheim's
        # measures, Aalborg's initiatives and goals. Empty lists are not offered.
        for name, model in (("measures", Measure), ("initiatives", Initiative), ("goals", Goal)):
            choices = model.objects.filter(municipality=concern.municipality_id)
            if choices.exists():
                self.fields[name].queryset = choices
            else:
                del self.fields[name]


class FollowUpDateForm(forms.Form):
    follow_up_on = forms.DateField(label=_("Next follow-up"), widget=DateInput)


class PauseDeadlinesForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("The case is waiting for"),
        choices=DeadlinePause.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        help_text=_("Required for “Other”. Internal: never shown to the reporter."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == DeadlinePause.Reason.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Say what the case is waiting for."))
        return data


class AccessRequestForm(forms.Form):
    FORMATS = [("html", _("A page to print")), ("json", _("A JSON file"))]

    reason = forms.CharField(
        label=_("The access request you are answering"),
        min_length=10,
        max_length=500,
        widget=_text_area(2),
        help_text=_(
            "For example the date and reference of the person's request. "
            "It is written to the access log of every concern in the export."
        ),
    )
    format = forms.ChoiceField(
        label=_("As"), choices=FORMATS, initial="html", widget=forms.RadioSelect
    )


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Why must the case be kept?"),
        min_length=10,
        max_length=500,
        help_text=_(
            "For example a complaint or a court case. It is written on the case's timeline."
        ),
    )
