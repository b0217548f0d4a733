from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.statistics.figures import COLUMNS, PERIOD_LABELS

# The system holds nothing older; a wider list would only offer empty years.
FIRST_YEAR = 2020


class PeriodForm(forms.Form):
    """Which municipality and period; read from the query string and checked on the server."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=None, empty_label=None, to_field_name="code"
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[(column, PERIOD_LABELS[column]) for column in ("year", "h1", "h2", *COLUMNS[:4])],
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        this_year = timezone.localdate().year
        self.fields["year"].choices = [
            (year, year) for year in range(this_year, FIRST_YEAR - 1, -1)
        ]
