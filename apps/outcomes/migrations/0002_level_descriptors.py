"""The self-assessment scale's descriptors (one line per level, English and Polish), generic for all eight
competences. Idempotent: a level already there keeps its (possibly edited) text."""

from django.db import migrations

DESCRIPTORS = (
    (1, "I am just starting: I need help with most tasks.", "Dopiero zaczynam: przy większości zadań potrzebuję pomocy."),
    (2, "I can do simple tasks with some help.", "Wykonuję proste zadania z niewielką pomocą."),
    (3, "I can do the usual tasks on my own.", "Samodzielnie wykonuję typowe zadania."),
    (4, "I do it confidently, also in new situations.", "Robię to pewnie, także w nowych sytuacjach."),
    (5, "I do it very well and can help or teach others.", "Robię to bardzo dobrze i potrafię pomóc innym lub ich uczyć."),
)


def load(apps, schema_editor):
    LevelDescriptor = apps.get_model("outcomes", "LevelDescriptor")
    for level, text, text_pl in DESCRIPTORS:
        LevelDescriptor.objects.get_or_create(level=level, defaults={"text": text, "text_pl": text_pl})


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
