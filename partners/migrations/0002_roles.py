from django.db import migrations

ROLE_CODES = [
    "frontline",
    "resource_person",
    "coordinator",
    "police_contact",
    "mentor",
    "registry_admin",
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("partners", "Role")
    for code in ROLE_CODES:
        Role.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
