"""CSV import and export of the registry (django-import-export), under the admin's scope.

A registry admin imports and exports only their own municipality's objects,
through the same rules as the admin pages (partners.admin_tenancy). Imports
are capped in size and rows and report bad rows by line; exports cannot carry
a spreadsheet formula.
"""

import tablib
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.forms import ImportForm
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget

from partners.admin_tenancy import may_keep, visible_to
from partners.models import Contact, Municipality, Organisation

MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet shows as text: a leading quote defuses a formula (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append([spreadsheet_safe(cell) for cell in row])
    return safe


class CappedImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB; split it into smaller files."),
                params={"size": MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        return upload


class RegistryResource(resources.ModelResource):
    """A resource that knows who imports or exports, and keeps them inside their scope.

    Without a user (a management command run by the operator) it is not scoped.
    """

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if self.user is None else visible_to(self.user, queryset)

    def import_data(self, dataset, **kwargs):
        # Refused before a single row is read: a huge file must not hold a
        # transaction open for minutes.
        if len(dataset) > MAX_IMPORT_ROWS:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            error = ValidationError(
                _("The file has %(rows)s rows; at most %(max)s can be imported at once."),
                params={"rows": len(dataset), "max": MAX_IMPORT_ROWS},
            )
            result.append_base_error(self.get_error_result_class()(error))
            return result
        return super().import_data(dataset, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if self.user is None:
            return
        many_to_many = {
            field.attribute: field.clean(row)
            for field in self.get_import_fields()
            if isinstance(field.widget, ManyToManyWidget) and field.column_name in row
        }
        if not may_keep(self.user, instance, many_to_many):
            raise ValidationError(
                _("This row belongs to a municipality that is not yours; it was not imported.")
            )

    def export(self, *args, **kwargs):
        return spreadsheet_safe_dataset(super().export(*args, **kwargs))


class OrganisationResource(RegistryResource):
    parent = fields.Field(
        attribute="parent", column_name="parent", widget=ForeignKeyWidget(Organisation, "slug")
    )
    municipalities = fields.Field(
        attribute="municipalities",
        column_name="municipalities",
        widget=ManyToManyWidget(Municipality, field="code", separator="|"),
    )

    class Meta:
        model = Organisation
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "kind",
            "municipalities",
            "parent",
            "description",
            "website",
            "is_active",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        # Model validation runs on every row, so a bad kind or URL is reported, not saved.
        clean_model_instances = True


class ContactResource(RegistryResource):
    organisation = fields.Field(
        attribute="organisation",
        column_name="organisation",
        widget=ForeignKeyWidget(Organisation, "slug"),
    )

    class Meta:
        model = Contact
        import_id_fields = ["organisation", "role", "name"]
        fields = ["organisation", "role", "name", "phone", "email", "is_active"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
