"""The agency's mobility list against Django admin's changelist of Mobility, at programme scale, side by side.

    .venv/bin/python bench/bench_mobility_list.py [--mobilities 14850] [--duration 15] [--connections 4]

Needs PostgreSQL (``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/postgres``: the server; the
benchmark creates its own database ``mobility_bench_list`` there and drops it at the end) and a load tool:
``wrk`` (preferred), ``ab`` or ``hyperfine`` (Debian: ``apt-get install wrk apache2-utils hyperfine``).

1. Builds the programme: the demo's programme, calls and accounts, 495 contracted projects of as many Polish
   organisations, and 14,850 mobilities (30 per project: 26 learners, 2 accompanying teachers, 2 staff job
   shadowings) with their participants, bulk-inserted; then ANALYZE.
2. Starts gunicorn (2 workers, DEBUG off, MFA for agency staff off, plain HTTP on 127.0.0.1) on the project.
3. Signs in programmatically (``django.test.Client.force_login``: a real session in the database and the
   cache, whose cookie the load tool sends): an agency officer for ``/agency/mobilities/`` and a superuser for
   ``/admin/mobility/mobility/``. Both pages show 50 rows (``reports.views.PAGE_SIZE`` and
   ``MobilityAdmin.list_per_page``), the same columns and the same four related filters; each is first
   fetched once and checked (200, 50 rows).
4. Loads both pages in turn, twice (ours, admin, ours, admin), with the same tool, connections and duration,
   and prints requests per second, p50 and p99 latency, and the ratio ours / admin.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATABASE = "mobility_bench_list"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-only-secret-key-not-for-production-0123456789abcdef"
INSTALL = "Install a load tool, e.g. on Debian: apt-get install wrk apache2-utils hyperfine"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mobilities", type=int, default=14850)
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--tool", choices=("wrk", "ab", "hyperfine"), help="default: the first one installed")
    parser.add_argument("--keep", action="store_true", help="keep the database (and print how to drop it)")
    args = parser.parse_args(argv)

    tool = args.tool or next((name for name in ("wrk", "ab", "hyperfine") if shutil.which(name)), None)
    if tool is None or not shutil.which(tool):
        sys.exit(f"No load tool found ({tool or 'wrk, ab or hyperfine'}). {INSTALL}")

    folder = tempfile.mkdtemp(prefix="mobility-bench-list-")
    server_url = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    parts = urlsplit(server_url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"DATABASE_URL must point to a PostgreSQL server (got {parts.scheme}://)")
    admin_url = parts._replace(scheme="postgresql", path="/postgres").geturl()
    database_url = parts._replace(path=f"/{DATABASE}").geturl()
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",  # static files collected into the temporary VAR_DIR
        "DATABASE_URL": database_url,
        "VAR_DIR": folder,  # the file cache (sessions) is shared by this process and gunicorn's
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "HTTPS_ONLY": "false",  # plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies sent over HTTP
        "MFA_REQUIRED_FOR_AGENCY": "false",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    os.environ.update(env)

    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    gunicorn = None
    try:
        import django

        django.setup()
        from bench.programme import quiet

        quiet()
        setup = build(args.mobilities)
        cookies = sign_in()
        port = _free_port()
        gunicorn = start_gunicorn(port, args.workers, env, folder)
        base = f"http://127.0.0.1:{port}"
        pages = {
            "ours": (f"{base}/agency/mobilities/", cookies["officer"]),
            "admin": (f"{base}/admin/mobility/mobility/", cookies["superuser"]),
        }
        for name, (url, cookie) in pages.items():
            check_page(name, url, cookie)
        results = []
        for round_number in (1, 2):
            for name, (url, cookie) in pages.items():
                results.append((round_number, name, load(tool, url, cookie, args.duration, args.connections)))
        report(args, tool, setup, results)
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"\nKept the database {DATABASE}: DROP DATABASE {DATABASE}; when done.")
        else:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)
    return 0


# --- The programme's data ----------------------------------------------------------------------------------------


def build(count: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.models import User
    from apps.mobility.models import Mobility, MobilityStatus
    from apps.organisations.models import Organisation
    from apps.participants.models import Participant
    from apps.portal.demo import HOSTS, seed_demo
    from apps.reference.models import ActivityType
    from bench.generate import FIRST_NAMES, LAST_NAMES, PROJECT_START
    from bench.programme import create_projects

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    seed_demo()
    User.objects.create_superuser(email="superuser@agency.example", password=SECRET)
    timings["migrate, collectstatic and seed the demo"] = time.perf_counter() - started

    started = time.perf_counter()
    per_project = 30
    projects = create_projects(-(-count // per_project))
    hosts = list(Organisation.objects.filter(oid__in=[oid for oid, *_rest in HOSTS]))
    types = {a.code: a for a in ActivityType.objects.all()}
    rng = random.Random(14850)
    statuses = [
        (MobilityStatus.DRAFT, 10),
        (MobilityStatus.PLANNED, 25),
        (MobilityStatus.CONFIRMED, 20),
        (MobilityStatus.ONGOING, 5),
        (MobilityStatus.COMPLETED, 25),
        (MobilityStatus.REPORTED, 12),
        (MobilityStatus.CANCELLED, 3),
    ]
    participants, plans = [], []
    for project_index, project in enumerate(projects):
        organisation_id = project.application.organisation_id
        host = hosts[project_index % len(hosts)]
        start = PROJECT_START + timedelta(days=rng.randint(60, 400))
        for index in range(min(per_project, count - project_index * per_project)):
            staff = index >= per_project - 4
            gender = rng.choice(("female", "male"))
            participants.append(
                Participant(
                    organisation_id=organisation_id,
                    first_name=rng.choice(FIRST_NAMES[gender]),
                    last_name=rng.choice(LAST_NAMES),
                    email=f"p{project_index:04d}.{index:02d}@school.example",
                    birth_date=date(1980 if staff else 2007, rng.randint(1, 12), rng.randint(1, 28)),
                    gender=gender,
                    nationality="PL",
                    category="staff" if staff else "learner",
                )
            )
            code = "SM-JOB-SHDW" if index >= per_project - 2 else "LM-SHORT-VET"
            days = rng.randint(5, 10) if code == "SM-JOB-SHDW" else rng.randint(14, 60)
            status = rng.choices([s for s, _w in statuses], weights=[w for _s, w in statuses])[0]
            plans.append((project, host, types[code], staff and code == "LM-SHORT-VET", start, days, status))
    Participant.objects.bulk_create(participants, batch_size=2000)
    mobilities = [
        Mobility(
            project=project,
            participant=participant,
            activity_type=activity,
            accompanying=accompanying,
            host=host,
            destination_country=host.country.code,
            start_date=start,
            end_date=start + timedelta(days=days - 1),
            travel_days=2,
            status=status,
            distance_km=2000,
            distance_band="2000-2999",
            grant_total=Decimal(rng.randint(80_000, 400_000)).scaleb(-2),
            grant_call_year=2024,
        )
        for participant, (project, host, activity, accompanying, start, days, status) in zip(
            participants, plans, strict=True
        )
    ]
    Mobility.objects.bulk_create(mobilities, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings[f"{len(projects)} projects, {len(mobilities)} mobilities (bulk)"] = time.perf_counter() - started
    return {"timings": timings, "projects": len(projects), "mobilities": Mobility.objects.count()}


def sign_in() -> dict[str, str]:
    """Session cookies of an agency officer and a superuser, made as a sign-in makes them."""
    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import User

    cookies = {}
    for name, email in (("officer", "officer@agency.example"), ("superuser", "superuser@agency.example")):
        client = Client()
        client.force_login(User.objects.get(email=email))
        cookies[name] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return cookies


# --- Serving and loading -----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, env: dict, folder: str) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "mobility_portal.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--access-logfile=-" if os.environ.get("BENCH_ACCESS_LOG") else "--access-logfile=/dev/null",
        f"--error-logfile={folder}/gunicorn.log",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit(f"gunicorn did not answer; see {folder}/gunicorn.log")


def check_page(name: str, url: str, cookie: str) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read().decode()
        if response.status != 200 or response.url != url:
            sys.exit(f"{name}: {url} answered {response.status} at {response.url}")
    rows = len(re.findall(r"<tr[ >]", body.split("<tbody", 1)[-1]))
    if rows != 50:
        sys.exit(f"{name}: {url} shows {rows} rows, not 50")


def load(tool: str, url: str, cookie: str, duration: int, connections: int) -> dict:
    """Requests per second and p50/p99 latency in milliseconds (after a few warm-up requests)."""
    for _ in range(5):
        urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=60).read()
    if tool == "wrk":
        out = _run(
            [
                "wrk",
                f"-t{min(2, connections)}",
                f"-c{connections}",
                f"-d{duration}s",
                "--latency",
                "-H",
                f"Cookie: {cookie}",
                url,
            ]
        )
        found = re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        latency = {percent: _ms(value, unit) for percent, value, unit in found}
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": latency["50"],
            "p99": latency["99"],
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "errors": int(errors.group(1)) if errors else 0,
        }
    if tool == "ab":
        out = _run(["ab", "-q", "-t", str(duration), "-n", "1000000", "-c", str(connections), "-C", cookie, url])
        percent = dict(re.findall(r"^\s+(50|99)%\s+(\d+)", out, re.M))
        return {
            "rps": float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1)),
            "p50": float(percent["50"]),
            "p99": float(percent["99"]),
            "requests": int(re.search(r"Complete requests:\s+(\d+)", out).group(1)),
            "errors": int(re.search(r"Non-2xx responses:\s+(\d+)", out).group(1)) if "Non-2xx" in out else 0,
        }
    # hyperfine: one request per run (curl), no concurrency; the figures are per request.
    export = Path(tempfile.mkstemp(suffix=".json")[1])
    _run(
        [
            "hyperfine",
            "--warmup",
            "3",
            "--min-runs",
            "50",
            "--export-json",
            str(export),
            "--style",
            "none",
            f"curl -s -o /dev/null -H 'Cookie: {cookie}' {url}",
        ]
    )
    import json
    import statistics

    times = sorted(json.loads(export.read_text())["results"][0]["times"])
    export.unlink()
    return {
        "rps": 1 / statistics.mean(times),
        "p50": 1000 * statistics.median(times),
        "p99": 1000 * times[min(len(times) - 1, int(0.99 * len(times)))],
        "requests": len(times),
        "errors": 0,
    }


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _run(command: list[str]) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def report(args, tool: str, setup: dict, results: list) -> None:
    from django.db import connection

    from apps.mobility.admin import MobilityAdmin
    from apps.reports.views import PAGE_SIZE

    assert MobilityAdmin.list_per_page == PAGE_SIZE, (MobilityAdmin.list_per_page, PAGE_SIZE)
    version = connection.cursor().connection.info.server_version
    print(
        f"Mobility list benchmark: {setup['mobilities']} mobilities in {setup['projects']} projects, PostgreSQL "
        f"{version // 10000}.{version % 10000}, gunicorn {args.workers} workers, DEBUG off; {tool}, "
        f"{args.connections} connections, {args.duration} s each; page size {PAGE_SIZE}; {os.cpu_count()} cores; "
        f"load average before {os.getloadavg()[0]:.1f}"
    )
    for label, seconds in setup["timings"].items():
        print(f"  set-up: {label}: {seconds:.1f} s")
    print(f"\n{'round':<6} {'page':<38} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    print("-" * 90)
    names = {"ours": "/agency/mobilities/ (officer)", "admin": "/admin/mobility/mobility/ (superuser)"}
    for round_number, name, r in results:
        print(
            f"{round_number:<6} {names[name]:<38} {r['requests']:>9} {r['rps']:>8.1f} {r['p50']:>8.1f} "
            f"{r['p99']:>8.1f} {r['errors']:>7}"
        )
    best = {name: max(r["rps"] for _n, page, r in results if page == name) for name in names}
    p50 = {name: min(r["p50"] for _n, page, r in results if page == name) for name in names}
    print(
        f"\nBest of the two rounds: ours {best['ours']:.1f} req/s, admin {best['admin']:.1f} req/s; "
        f"ours / admin = {best['ours'] / best['admin']:.2f} (throughput), "
        f"p50 {p50['ours']:.1f} ms against {p50['admin']:.1f} ms"
    )
    print("Goal: ours at least as fast as the admin (ratio >= 1.00).")


if __name__ == "__main__":
    sys.exit(main())
