from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.statistics.figures import COLUMNS, PERIOD_LABELS

# The system holds nothing older; a wider list would only offer empty years.
FIRST_YEAR = 2020


class PeriodForm(forms.Form):
    """Which municipality and period; read from the query string and checked on the server."""

    # Checked against the reader's own municipalities in Python, so no typed
    # value (a NUL byte included) ever reaches the database.
    municipality = forms.ChoiceField(label=_("Municipality"))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[(column, PERIOD_LABELS[column]) for column in ("year", "h1", "h2", *COLUMNS[:4])],
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self._municipalities = {municipality.code: municipality for municipality in municipalities}
        self.fields["municipality"].choices = [
            (code, municipality.name) for code, municipality in self._municipalities.items()
        ]
        this_year = timezone.localdate().year
        self.fields["year"].choices = [
            (year, year) for year in range(this_year, FIRST_YEAR - 1, -1)
        ]

    def clean_municipality(self):
        return self._municipalities[self.cleaned_data["municipality"]]
