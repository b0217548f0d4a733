from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's own date picker; the server still validates the date.

    An <input type="date"> takes only ISO values (2026-11-23). Django would
    otherwise write the value in the reader's format (23.11.2026 in Danish),
    which the browser throws away, so the field would look empty.
    """

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")


class FilterableCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes instead of a Ctrl-click list; static/js/forms.js adds a filter box above them."""

    def __init__(self, attrs=None, choices=()):
        attrs = {"data-filter-label": _("Filter the list"), **(attrs or {})}
        super().__init__(attrs=attrs, choices=choices)
