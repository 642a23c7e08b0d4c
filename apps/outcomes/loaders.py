"""The self-assessment scale's level descriptors: one line per level, English and Polish, generic for all eight
key competences. Loaded by the data migration ``outcomes/0002``; agency administrators correct them in the
admin. ``load_level_descriptors`` is idempotent: a level already there keeps its (possibly edited) text, so
tests that flush the database (transactional ones) can call it again."""

DESCRIPTORS = (
    (
        1,
        "I am just starting: I need help with most tasks.",
        "Dopiero zaczynam: przy większości zadań potrzebuję pomocy.",
    ),
    (2, "I can do simple tasks with some help.", "Wykonuję proste zadania z niewielką pomocą."),
    (3, "I can do the usual tasks on my own.", "Samodzielnie wykonuję typowe zadania."),
    (4, "I do it confidently, also in new situations.", "Robię to pewnie, także w nowych sytuacjach."),
    (
        5,
        "I do it very well and can help or teach others.",
        "Robię to bardzo dobrze i potrafię pomóc innym lub ich uczyć.",
    ),
)


def load_level_descriptors(apps) -> None:
    """``apps``: a migration's app registry, or ``django.apps.apps``."""
    LevelDescriptor = apps.get_model("outcomes", "LevelDescriptor")
    for level, text, text_pl in DESCRIPTORS:
        LevelDescriptor.objects.get_or_create(level=level, defaults={"text": text, "text_pl": text_pl})
