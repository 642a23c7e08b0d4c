"""The self-assessment scale's descriptors (apps/outcomes/loaders.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from apps.outcomes.loaders import load_level_descriptors

    load_level_descriptors(apps)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
