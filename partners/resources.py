"""CSV import and export of the registry (django-import-export)."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget, ManyToManyWidget

from partners.models import Contact, Municipality, Organisation


class OrganisationResource(resources.ModelResource):
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


class ContactResource(resources.ModelResource):
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
