from django import forms


class DateInput(forms.DateInput):
    """The browser's own date picker; the server still validates the date."""

    input_type = "date"
