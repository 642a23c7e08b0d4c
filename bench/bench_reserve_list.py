"""Reserve-list import and what-if funding rounds at programme scale (1,500 applications).

    DEBUG=true .venv/bin/python bench/bench_reserve_list.py [--rows 1500] [--seed 2026]

Uses a throw-away SQLite database in a temporary folder; with DATABASE_URL set
(PostgreSQL), it creates its own database ``mobility_bench`` on that server and
drops it at the end. Prints one line per step: seconds, rows per second and
the number of SQL queries.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "mobility_bench"


def prepare_database(folder: str) -> str | None:
    """Point the settings at a database of our own; returns the server's admin URL to drop it afterwards."""
    os.environ["VAR_DIR"] = folder  # SQLite file, file cache and media all go to the temporary folder
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"DATABASE_URL must point to PostgreSQL (got {parts.scheme}://)")
    import psycopg

    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    os.environ["DATABASE_URL"] = parts._replace(path=f"/{BENCH_DATABASE}").geturl()
    return admin


def drop_database(admin: str | None) -> None:
    if admin is None:
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


class Timer:
    def __init__(self):
        self.lines: list[tuple[str, int | None, float, int]] = []

    @contextlib.contextmanager
    def step(self, label: str, rows: int | None = None):
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        reset_queries()  # DEBUG keeps the last 9,000 queries only: start each step with an empty log
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            yield
            seconds = time.perf_counter() - start
        self.lines.append((label, rows, seconds, len(queries)))

    def print(self, title: str) -> None:
        print(f"\n{title}")
        print(f"{'step':<52} {'rows':>6} {'seconds':>9} {'rows/s':>9} {'queries':>8}")
        print("-" * 88)
        for label, rows, seconds, queries in self.lines:
            rate = f"{rows / seconds:9.0f}" if rows else f"{'':>9}"
            print(f"{label:<52} {rows if rows is not None else '':>6} {seconds:9.3f} {rate} {queries:>8}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    folder = tempfile.mkdtemp(prefix="mobility-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility_portal.settings")
    os.environ.setdefault("DEBUG", "true")
    admin = prepare_database(folder)
    try:
        import django

        django.setup()
        run(args.rows, args.seed, Path(folder))
    finally:
        drop_database(admin)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def run(count: int, seed: int, folder: Path) -> None:
    from django.conf import settings
    from django.core.management import call_command

    from apps.accounts.models import User
    from apps.portal.demo import seed_demo
    from apps.reserve_list.imports import import_apply, import_preview, parse_reserve_list
    from apps.reserve_list.models import Application, Call, FundingPolicy
    from apps.reserve_list.services import round_simulate
    from bench.generate import reserve_list_rows, write_csv, write_xlsx

    setup = Timer()
    with setup.step("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    with setup.step("seed_demo (programme, calls, 63 organisations)"):
        seed_demo()
    rows = reserve_list_rows(count, seed=seed)
    with setup.step(f"generate {count} rows, write CSV and XLSX", count):
        csv_path = write_csv(rows, folder / "reserve_list.csv")
        xlsx_path = write_xlsx(rows, folder / "reserve_list.xlsx")
    changed_rows = [
        {**row, "requested_grant_eur": str(Decimal(row["requested_grant_eur"]) + 100)} if i % 10 == 0 else row
        for i, row in enumerate(rows)
    ]
    changed_path = write_csv(changed_rows, folder / "reserve_list_v2.csv")

    officer = User.objects.get(email="officer@agency.example")
    timer = Timer()

    def parse(path, label):
        with timer.step(label, count), path.open("rb") as file:
            parsed = parse_reserve_list(file, path.name)
        assert not parsed.errors, parsed.errors[:5]
        return parsed

    parse(xlsx_path, "parse + validate XLSX (all new)")
    parsed = parse(csv_path, "parse + validate CSV (all new)")
    with timer.step("preview (plan) CSV", count):
        plan = import_preview(parsed)
    with timer.step("apply: first import (CSV)", count):
        result = import_apply(parsed=parsed, by=officer, source=f"import: {csv_path.name}")
    assert result.created == count, result.summary()
    first = result.summary()

    for path, label in ((csv_path, "CSV"), (xlsx_path, "XLSX")):
        again = parse(path, f"re-import {label}: parse + validate")
        with timer.step(f"re-import {label}: apply (no changes)", count):
            result = import_apply(parsed=again, by=officer, source=f"import: {path.name}")
        assert (result.created, result.updated) == (0, 0), result.summary()

    changed = parse(changed_path, "re-import, 10% changed: parse + validate")
    with timer.step("re-import, 10% changed: apply", count):
        result = import_apply(parsed=changed, by=officer, source=f"import: {changed_path.name}")
    assert result.updated == len(range(0, count, 10)), result.summary()

    rounds = Timer()
    outcomes = []
    for call in Call.objects.order_by("year"):
        waiting = Application.objects.filter(call=call, status="reserve").count()
        for policy in FundingPolicy.values:
            min_share = Decimal("0.5") if policy == FundingPolicy.PARTIAL else None
            with rounds.step(f"what-if round {call.year}, policy {policy}", waiting):
                simulated = round_simulate(call=call, amount=call.envelope, policy=policy, min_share=min_share)
            outcomes.append((call.year, policy, call.envelope, len(simulated.offers), simulated.remaining))

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Reserve-list benchmark: {count} applications, seed {seed}, {engine}, DEBUG={settings.DEBUG}")
    print(
        f"First import: {first['created']} created, {first['new_organisations']} new organisations, "
        f"{first['below_threshold']} below the threshold; plan: {len(plan.created)} new"
    )
    setup.print("Set-up")
    timer.print("Import")
    rounds.print("What-if funding rounds (amount = the call's envelope)")
    print(f"\n{'call':<6} {'policy':<8} {'envelope':>14} {'offers':>7} {'left over':>12}")
    for year, policy, envelope, offers, remaining in outcomes:
        print(f"{year:<6} {policy:<8} {envelope:>14,.2f} {offers:>7} {remaining:>12,.2f}")


if __name__ == "__main__":
    sys.exit(main())
