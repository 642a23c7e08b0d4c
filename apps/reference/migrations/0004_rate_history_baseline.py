"""A first history row for every rate loaded by 0002, so that an administrator's later edit
keeps both the old and the new figure in the history (django-simple-history records edits only)."""

from django.db import migrations
from django.utils import timezone

RATE_MODELS = ("TravelBand", "IndividualSupportRate", "UnitCost", "ActivityType")


def baseline(apps, schema_editor):
    now = timezone.now()
    for name in RATE_MODELS:
        model = apps.get_model("reference", name)
        historical = apps.get_model("reference", f"Historical{name}")
        fields = [f.attname for f in model._meta.concrete_fields]
        already = set(historical.objects.values_list("id", flat=True))
        historical.objects.bulk_create(
            historical(
                **{field: getattr(row, field) for field in fields},
                history_date=now,
                history_type="+",
                history_change_reason="loaded from shared/domain",
            )
            for row in model.objects.all()
            if row.pk not in already
        )


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_city_cityname")]

    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
