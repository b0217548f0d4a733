from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.widgets import DateInput, FilterableCheckboxes
from measures.models import Goal, MeasureActivity
from partners.models import Organisation


class MeasureActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=MeasureActivity.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations taking part"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=FilterableCheckboxes,
    )
    participants = forms.IntegerField(
        label=_("Number of participants"), min_value=1, max_value=100_000
    )
    goals = forms.ModelMultipleChoiceField(
        label=_("Goals it serves"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, municipality_id: int, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(
            is_active=True, municipalities=municipality_id
        ).order_by("name")
        # Aalborg's plan has goals; Trondheim's measures stand under goal areas instead.
        goals = Goal.objects.filter(municipality=municipality_id)
        if goals.exists():
            self.fields["goals"].queryset = goals
        else:
            del self.fields["goals"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date
