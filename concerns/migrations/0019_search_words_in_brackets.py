"""Re-index every submitted concern: words in angle brackets are now searchable.

See concerns/search.py: `<` and `>` are read as spaces, so PostgreSQL's parser
no longer drops bracketed text as an HTML tag. The statement is the one the
application uses, so the stored vectors match what `search` queries.
"""

from django.db import migrations


def reindex(apps, schema_editor):
    from concerns.search import reindex_all

    reindex_all(using=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0018_question_index"),
    ]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
