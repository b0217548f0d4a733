from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.widgets import DateInput, FilterableCheckboxes
from measures.models import MeasureActivity
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

    def __init__(self, *args, municipality_id: int, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(
            is_active=True, municipalities=municipality_id
        ).order_by("name")

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date
