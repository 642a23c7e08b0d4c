"""Mobility import (column set v1, XLSX) at programme scale: 15,000 rows, parse + check, preview and apply.

    DEBUG=true .venv/bin/python bench/bench_mobility_import.py [--rows 15000] [--group 30] [--seed 2026]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DEBUG=true \
        .venv/bin/python bench/bench_mobility_import.py

An import is per project, and a project counts at most 30 participants (RULES.md), so the 15,000 rows are
measured two ways, on the same generated rows (``generate.mobility_rows``: per 30 rows, 26 learners, 2
teachers accompanying two of them and 2 teachers job shadowing; every row a new participant):

1. **one file**: one XLSX of all the rows, imported into one project. It is the importer's stress case:
   all rows are checked and priced, and beyond the 30th participant every mobility breaks the cap, so it
   is recorded in draft with that rule reported (as the issue asks of a mobility that breaks a rule).
2. **the programme**: the same rows cut into one XLSX of ``--group`` rows per project (15,000 / 30 = 500
   projects of 500 organisations), each imported into its own project, timed in total. No rule is broken.

Each is parsed and checked (``parse_mobility_file``), previewed (``import_mobilities(dry_run=True)``) and
applied (``import_mobilities``), as the command ``import_mobilities`` and the browser import do.

Uses a throw-away SQLite database in a temporary folder; with DATABASE_URL set (PostgreSQL), it creates its
own database ``mobility_bench`` on that server and drops it at the end. Prints one line per step: seconds,
rows per second and the number of SQL queries.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_reserve_list import Timer, drop_database, prepare_database  # noqa: E402
from bench.programme import quiet  # noqa: E402

GOAL_SECONDS = 15


class CpuTimer(Timer):
    """``Timer`` with this process's CPU seconds too: on a shared machine the wall clock also counts the
    others' work, the CPU time only ours (all of it with SQLite; with PostgreSQL the server's is left out).
    Queries are counted as they run, every one of them."""

    def __init__(self):
        super().__init__()
        self.cpu: list[float] = []

    @contextlib.contextmanager
    def step(self, label: str, rows: int | None = None):
        from django.db import connection

        # Counted as they run (DEBUG's query log keeps the last 9,000 only); an executemany counts once.
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        start_cpu, start = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(counter):
            yield
        self.lines.append((label, rows, time.perf_counter() - start, count[0]))
        self.cpu.append(time.process_time() - start_cpu)

    def print(self, title: str) -> None:
        print(f"\n{title}")
        print(f"{'step':<52} {'rows':>6} {'seconds':>9} {'rows/s':>9} {'queries':>8} {'cpu s':>7}")
        print("-" * 96)
        for (label, rows, seconds, queries), cpu in zip(self.lines, self.cpu, strict=True):
            rate = f"{rows / seconds:9.0f}" if rows else f"{'':>9}"
            print(f"{label:<52} {rows if rows is not None else '':>6} {seconds:9.3f} {rate} {queries:>8} {cpu:7.2f}")

    def total(self, rows: int) -> None:
        seconds = sum(line[2] for line in self.lines)
        label = "total: parse + check, preview and apply"
        print(f"{label:<52} {rows:>6} {seconds:9.3f} {rows / seconds:9.0f} {'':>8} {sum(self.cpu):7.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=15000)
    parser.add_argument("--group", type=int, default=30, help="rows per project in the programme scenario")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-programme", action="store_true", help="only the one-file scenario")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile each step of the one-file scenario (top 25 by tottime)"
    )
    args = parser.parse_args(argv)

    folder = tempfile.mkdtemp(prefix="mobility-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobility_portal.settings")
    os.environ.setdefault("DEBUG", "true")  # as bench_reserve_list.py; the queries are counted without the log
    os.environ.setdefault("MFA_REQUIRED_FOR_AGENCY", "false")
    admin = prepare_database(folder)
    try:
        import django

        django.setup()
        quiet()
        run(args, Path(folder))
    finally:
        drop_database(admin)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


@contextlib.contextmanager
def profiled(enabled: bool, label: str):
    """cProfile the block and print its 25 most costly functions by own time, and the project's 25 by
    cumulative time (``--profile``)."""
    if not enabled:
        yield
        return
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        print(f"\n--- profile: {label} (by tottime) ---")
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        print(f"\n--- profile: {label}, the project's functions (by cumulative time) ---")
        pstats.Stats(profile).sort_stats("cumulative").print_stats("/apps/", 25)


def run(args, folder: Path) -> None:
    from django.conf import settings
    from django.core.management import call_command

    from apps.accounts.models import User
    from apps.mobility.models import GrantLine, Mobility, MobilityStatus
    from apps.mobility.transfer import import_mobilities, parse_mobility_file
    from apps.portal.demo import seed_demo
    from bench.generate import MOBILITY_COLUMNS, mobility_hosts, mobility_rows, write_xlsx
    from bench.programme import create_projects, load_bench_cities

    count, group = args.rows, args.group
    setup = CpuTimer()
    with setup.step("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    with setup.step("seed_demo (programme, calls, organisations)"):
        seed_demo()
    with setup.step("load cities (Poland, and the hosts' cities)"):
        cities = load_bench_cities()
    projects_needed = 1 + (0 if args.skip_programme else -(-count // group))
    with setup.step(f"create {projects_needed} contracted projects (bulk)", projects_needed):
        projects = create_projects(projects_needed)
    rows = mobility_rows(count, seed=args.seed, group=group, hosts=mobility_hosts(40, seed=args.seed))
    big = folder / "mobilities.xlsx"
    with setup.step(f"generate {count} rows, write one XLSX", count):
        write_xlsx(rows, big, MOBILITY_COLUMNS, typed=False)
    files = []
    if not args.skip_programme:
        with setup.step(f"write {len(projects) - 1} XLSX of {group} rows", count):
            for index, project in enumerate(projects[1:]):
                part = rows[index * group : (index + 1) * group]
                path = write_xlsx(part, folder / f"project-{index:04d}.xlsx", MOBILITY_COLUMNS, typed=False)
                files.append((project, path, len(part)))

    officer = User.objects.get(email="officer@agency.example")

    one = CpuTimer()
    project = first = projects[0]
    with one.step("parse + check XLSX", count), profiled(args.profile, "parse + check"), big.open("rb") as file:
        parsed = parse_mobility_file(file, big.name, project=project)
    assert not parsed.errors, parsed.errors[:5]
    with one.step("preview (dry run)", count), profiled(args.profile, "preview"):
        preview = import_mobilities(parsed=parsed, project=project, by=officer, dry_run=True)
    assert preview.ok, preview.errors[:5]
    with one.step("apply", count), profiled(args.profile, "apply"):
        result = import_mobilities(parsed=parsed, project=project, by=officer)
    assert result.ok and len(result.rows) == count, result.errors[:5]
    one_summary = result.summary()
    assert Mobility.objects.filter(project=project).count() == count

    programme = CpuTimer()
    if files:
        parsed_files = []
        with programme.step(f"parse + check {len(files)} XLSX", count):
            for project, path, _n in files:
                with path.open("rb") as file:
                    parsed_files.append((project, parse_mobility_file(file, path.name, project=project)))
        assert not any(p.errors for _project, p in parsed_files), next(p.errors for _pr, p in parsed_files if p.errors)
        with programme.step(f"preview (dry run), {len(files)} projects", count):
            for project, parsed_file in parsed_files:
                assert import_mobilities(parsed=parsed_file, project=project, by=officer, dry_run=True).ok
        broken = 0
        with programme.step(f"apply, {len(files)} projects", count):
            for project, parsed_file in parsed_files:
                applied = import_mobilities(parsed=parsed_file, project=project, by=officer)
                assert applied.ok, applied.errors[:5]
                broken += applied.summary()["in_draft_with_broken_rules"]

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"Mobility import benchmark: {count} rows (column set v1, XLSX), seed {args.seed}, {engine}")
    stored = f"{Mobility.objects.count()} mobilities and {GrantLine.objects.count()} grant lines stored"
    print(f"{cities} cities loaded; {stored}")
    setup.print("Set-up")
    one.print(f"1. One XLSX of {count} rows into one project")
    one.total(count)
    print(
        f"   {one_summary['participants_created']} participants and {one_summary['hosts_created']} hosts created; "
        f"{one_summary['in_draft_with_broken_rules']} mobilities in draft with a broken rule "
        f"({Mobility.objects.filter(project=first, status=MobilityStatus.DRAFT).count()} in draft: all, as imported)"
    )
    if files:
        programme.print(f"2. The programme: {len(files)} projects, one XLSX of {group} rows each")
        programme.total(count)
        print(f"   {broken} mobilities with a broken rule")
    print(f"\nGoal: {count} rows in at most {GOAL_SECONDS} s (parse + check, preview and apply).")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Load average (1, 5, 15 min) at the end: {load}; {os.cpu_count()} cores")


if __name__ == "__main__":
    sys.exit(main())
