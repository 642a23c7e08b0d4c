"""The passport template's default items (issue 5, item 3), in English and Polish, with a first history row each.

Idempotent: an item whose English title is already there is left alone, so an agency's edits survive.
"""

from django.db import migrations
from django.utils import timezone

# (section, phase, ticker, title, title_pl, description, description_pl)
DEFAULT_ITEMS = (
    (
        "preparation",
        "before",
        "both",
        "Pedagogical preparation",
        "Przygotowanie pedagogiczne",
        "The learning agreement is discussed and signed: what will be learnt at the host, and how it is assessed.",
        "Omówienie i podpisanie porozumienia o programie zajęć: czego uczestnik nauczy się u partnera i jak "
        "zostanie to ocenione.",
    ),
    (
        "preparation",
        "before",
        "both",
        "Language preparation",
        "Przygotowanie językowe",
        "An online language course (OLS) or classes in the language of work at the host.",
        "Kurs językowy online (OLS) lub zajęcia z języka używanego w pracy u partnera.",
    ),
    (
        "preparation",
        "before",
        "both",
        "Cultural preparation",
        "Przygotowanie kulturowe",
        "The host country, its customs and everyday life, and what to do when something goes wrong.",
        "Kraj przyjmujący, jego zwyczaje i życie codzienne oraz co robić, gdy coś pójdzie nie tak.",
    ),
    (
        "travel",
        "before",
        "organisation",
        "Travel booked and tickets handed over",
        "Podróż zarezerwowana, bilety przekazane",
        "",
        "",
    ),
    (
        "travel",
        "before",
        "organisation",
        "Insurance arranged (health, accident, third-party liability)",
        "Ubezpieczenie zapewnione (zdrowotne, NNW, OC)",
        "",
        "",
    ),
    (
        "travel",
        "before",
        "participant",
        "European Health Insurance Card packed",
        "Europejska Karta Ubezpieczenia Zdrowotnego spakowana",
        "",
        "",
    ),
    (
        "home_contact",
        "before",
        "both",
        "Contact person at home named, contact details shared",
        "Osoba kontaktowa w kraju wyznaczona, dane kontaktowe przekazane",
        "Someone at the sending organisation the participant can reach at any time during the stay.",
        "Osoba w organizacji wysyłającej, z którą uczestnik może się skontaktować w każdej chwili pobytu.",
    ),
    (
        "host_mentor",
        "before",
        "both",
        "Mentor at the host named",
        "Mentor w organizacji przyjmującej wyznaczony",
        "",
        "",
    ),
    (
        "host_mentor",
        "during",
        "participant",
        "First meeting with the mentor at the host",
        "Pierwsze spotkanie z mentorem w organizacji przyjmującej",
        "",
        "",
    ),
    (
        "home_contact",
        "during",
        "both",
        "Mid-stay call with the contact person at home",
        "Rozmowa z osobą kontaktową w kraju w połowie pobytu",
        "",
        "",
    ),
    (
        "debrief",
        "after",
        "both",
        "Debrief after return",
        "Spotkanie podsumowujące po powrocie",
        "What went well, what was hard, and what the participant will do with what they learnt.",
        "Co się udało, co było trudne i jak uczestnik wykorzysta to, czego się nauczył.",
    ),
    (
        "recognition",
        "after",
        "organisation",
        "Learning outcomes recorded and certificate issued",
        "Efekty uczenia się zapisane, certyfikat wydany",
        "",
        "",
    ),
    (
        "recognition",
        "after",
        "both",
        "Outcomes recognised by the school or employer",
        "Efekty uznane przez szkołę lub pracodawcę",
        "For example in the learner's grades, their vocational qualification or a staff member's development plan.",
        "Na przykład w ocenach ucznia, w jego kwalifikacji zawodowej lub w planie rozwoju pracownika.",
    ),
)


def load(apps, schema_editor):
    item_model = apps.get_model("passport", "TemplateItem")
    historical = apps.get_model("passport", "HistoricalTemplateItem")
    existing = set(item_model.objects.values_list("name", flat=True))
    now = timezone.now()
    for position, (section, phase, ticker, name, name_pl, description, description_pl) in enumerate(
        DEFAULT_ITEMS, start=1
    ):
        if name in existing:
            continue
        item = item_model.objects.create(
            name=name,
            name_pl=name_pl,
            description=description,
            description_pl=description_pl,
            section=section,
            phase=phase,
            ticker=ticker,
            position=position * 10,
            active=True,
        )
        # django-simple-history records edits made through the real model only: give each a first version.
        historical.objects.create(
            **{field.attname: getattr(item, field.attname) for field in item_model._meta.concrete_fields},
            history_date=now,
            history_type="+",
            history_change_reason="default passport template",
        )


class Migration(migrations.Migration):
    dependencies = [("passport", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
