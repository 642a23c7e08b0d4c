"""Certificates rendered by a real Celery worker: 1,000 PDFs of one project's bulk issue.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mobility_bench_certs \\
        .venv/bin/python bench/bench_certificates.py [--count 1000] [--concurrency 1] [--broker redis://127.0.0.1:6379/11]
    ... bench/bench_certificates.py --count 50 --micro 50   # in-process, no worker: milliseconds per PDF

Creates the database named in DATABASE_URL (dropping it first, so name a throw-away one: it is dropped at the
end too), migrates it, and fills one project with ``--count`` completed mobilities, each with a full record to
print: all eight key competences self-assessed before and after, learning outcomes for three competences and
vocational ones, and the host mentor's rating (overall and per competence). Starts
``celery -A mobility_portal worker --concurrency N`` as a subprocess on the Redis broker (a database number of its
own), waits until it answers, then issues the project's certificates in bulk (``certificates_issue_for_project``,
which enqueues one render task per certificate when it commits) and waits until the batch is finished. Prints the
time, certificates per second, and certificates per second per worker process (the issue's goal: at least 8).
Files go to a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mobility_bench_certs"
DEFAULT_BROKER = "redis://127.0.0.1:6379/11"
TIMEOUT_SECONDS = 1800


def prepare_database(url: str) -> str:
    """(Re)create the throw-away database; returns the server's admin URL to drop it afterwards."""
    import psycopg

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"DATABASE_URL must point to PostgreSQL (got {parts.scheme}://)")
    name = parts.path.lstrip("/")
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin


def drop_database(admin: str, url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(database_url: str, broker: str, folder: str) -> dict[str, str]:
    """What the benchmark and its worker run with: production-like (DEBUG off keeps no query log)."""
    return {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "VAR_DIR": folder,
        "MEDIA_ROOT": str(Path(folder) / "media"),
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "memorymail://",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789abcdefghij",
        "SITE_URL": "https://mobility.example",
        "LOG_LEVEL": "WARNING",
    }


def make_project(count: int):
    """One organisation's project with ``count`` completed mobilities of distinct participants (created in bulk;
    the mobility services' rules are not what is measured), each with outcomes to print."""
    from apps.mobility.models import Mobility, Project
    from apps.organisations.models import Organisation
    from apps.outcomes.models import CompetenceAssessment, CompetenceOutcome, LearningOutcomes
    from apps.participants.models import Participant
    from apps.reference.models import ActivityType, KeyCompetence
    from apps.reserve_list.models import Application, Call, Programme

    sending = Organisation.objects.create(
        oid="E10000001", legal_name="Zespół Szkół Gastronomicznych w Poznaniu", kind="vet_school", country="PL",
        city="Poznań", contact_email="sekretariat@zsg.example",
    )  # fmt: skip
    hosts = Organisation.objects.bulk_create(
        Organisation(
            oid=f"E2{n:07d}", legal_name=f"Escola Profissional de Hotelaria {n}", kind="vet_school", country="PT",
            city="Lisbon",
        )
        for n in range(20)
    )  # fmt: skip
    programme = Programme.objects.create(
        name="Bench programme", target_learners=14175, target_staff=675,
        starts_on=datetime.date(2023, 6, 1), ends_on=datetime.date(2027, 5, 31),
    )  # fmt: skip
    call = Call.objects.create(programme=programme, year=2024, envelope=Decimal("1000000.00"))
    application = Application.objects.create(
        number="2024-1-PL01-KA122-VET-000000001", call=call, organisation=sending, score_relevance=25,
        score_quality_design=30, score_quality_follow_up=25, score_total=80, requested_grant=Decimal("500000.00"),
        planned_learners=count, planned_staff=0, submitted_at=datetime.datetime(2024, 2, 20, 9, tzinfo=datetime.UTC),
        status="contracted",
    )  # fmt: skip
    project = Project.objects.create(
        application=application, agreement_number="2024-1-PL01-KA122-VET-000000001-GA",
        signed_on=datetime.date(2024, 5, 20), start_date=datetime.date(2024, 6, 1),
        end_date=datetime.date(2025, 11, 30), awarded_grant=Decimal("500000.00"),
    )  # fmt: skip
    participants = Participant.objects.bulk_create(
        Participant(
            organisation=sending, first_name=f"Uczestnik{n}", last_name=f"Nazwisko-Żółć{n}",
            email=f"learner{n}@bench.example", category="learner",
        )
        for n in range(count)
    )  # fmt: skip
    activity = ActivityType.objects.get(code="LM-SHORT-VET")
    start = datetime.date(2024, 9, 2)
    mobilities = Mobility.objects.bulk_create(
        Mobility(
            project=project, participant=participant, activity_type=activity, host=hosts[n % len(hosts)],
            destination_country="PT", start_date=start, end_date=start + datetime.timedelta(days=27),
            travel_days=2, status="completed",
        )
        for n, participant in enumerate(participants)
    )  # fmt: skip
    competences = list(KeyCompetence.objects.order_by("number"))
    CompetenceAssessment.objects.bulk_create(
        CompetenceAssessment(mobility=mobility, competence=competence, phase=phase, level=level)
        for mobility in mobilities
        for competence in competences
        for phase, level in (("before", 1 + competence.number % 3), ("after", 3 + competence.number % 3))
    )
    CompetenceOutcome.objects.bulk_create(
        CompetenceOutcome(mobility=mobility, competence=competence, text=text, mentor_level=4)
        for mobility in mobilities
        for competence, text in (
            (competences[1], "Takes orders from guests in Portuguese and English."),
            (competences[3], "Records stock and orders in the hotel's inventory software."),
            (competences[4], "Plans a week of kitchen shifts with the team."),
        )
    )
    LearningOutcomes.objects.bulk_create(
        LearningOutcomes(
            mobility=mobility, vocational_outcomes="Prepares and serves dishes of Portuguese cuisine in a hotel "
            "restaurant, following HACCP hygiene rules.", mentor_name="Joana Silva", mentor_overall=4,
        )
        for mobility in mobilities
    )  # fmt: skip
    return project


def worker_cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the worker's main process and by its pool processes (Linux
    /proc): on a shared machine the wall clock also counts the time other people's jobs had the cores."""
    tick = os.sysconf("SC_CLK_TCK")
    main, pool = 0.0, 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        # After the command: state, ppid, ..., utime and stime are the 12th and 13th fields.
        if int(entry.name) == pid:
            main += (int(fields[11]) + int(fields[12])) / tick
        elif int(fields[1]) == pid:
            pool += (int(fields[11]) + int(fields[12])) / tick
    return main, pool


def wait_for_worker(app, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the worker exited with {process.returncode}")
        if app.control.ping(timeout=1.0):
            return
    sys.exit("the worker did not answer within 2 minutes")


def micro(project, officer, repeat: int, profile: int = 0) -> None:
    """``--micro``: no worker; the same certificate's PDF ``repeat`` times (``certificate_pdf`` alone: template
    and WeasyPrint), then the render service (``rendering.certificate_render``: claim, queries, QR code, PDF,
    storage, batch counters) once for each of the project's certificates, in this process. Milliseconds per PDF,
    wall clock and CPU. ``profile``: the service's loop runs under cProfile, and its ``profile`` most costly
    functions (own time, then cumulative) are printed (the figures above it are then slowed by the profiler)."""
    from django.utils import translation

    from apps.certificates import rendering, services

    services._enqueue = lambda certificate_ids: None  # nobody consumes here: the service is called directly
    batch = services.certificates_issue_for_project(project=project, by=officer)
    ids = list(batch.certificates.order_by("pk").values_list("pk", flat=True))
    certificate = rendering.certificate_for_pdf(ids[0])
    with translation.override(certificate.language):
        context = rendering.certificate_context(certificate)
        rendering.certificate_pdf(context)  # warm-up: imports, fonts, templates
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            rendering.certificate_pdf(context)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"micro certificate_pdf: {1000 * wall / repeat:.1f} ms per PDF wall, "
        f"{1000 * cpu / repeat:.1f} ms CPU ({repeat})"
    )
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    wall, cpu = time.perf_counter(), time.process_time()
    for certificate_id in ids:
        rendering.certificate_render(certificate_id=certificate_id)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(profile)
        stats.sort_stats("cumulative").print_stats(profile)
    print(
        f"micro certificate_render: {1000 * wall / len(ids):.1f} ms per certificate wall, "
        f"{1000 * cpu / len(ids):.1f} ms CPU ({len(ids)} certificates; PostgreSQL's own CPU not counted); "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def describe_runtime() -> str:
    """The interpreter and font subsetter the figures depend on: CPU-bound rendering runs ~25-35 % faster on an
    optimised CPython build (Debian's python3.11; the production image python:3.11-slim is built with
    --enable-optimizations --with-lto) than on pyenv's default build, and several times slower when WeasyPrint
    subsets fonts with fontTools because HarfBuzz's subsetter is missing (Debian: libharfbuzz-subset0)."""
    import weasyprint
    from weasyprint.text.ffi import harfbuzz_subset

    subsetter = "HarfBuzz" if harfbuzz_subset else "fontTools (slow: apt install libharfbuzz-subset0)"
    return (
        f"python {sys.version.split()[0]} at {os.path.realpath(sys.executable)}; WeasyPrint "
        f"{weasyprint.__version__}, font subsetting with {subsetter}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes (celery --concurrency)")
    parser.add_argument(
        "--micro", type=int, metavar="N", help="no worker: the same PDF N times, then the service for each of --count"
    )
    parser.add_argument(
        "--profile", type=int, metavar="N", default=0, help="with --micro: cProfile's N most costly functions"
    )
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER))
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    folder = tempfile.mkdtemp(prefix="bench-certificates-")
    env = environment(database_url, args.broker, folder)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mobility_portal.settings"
    print(f"runtime: {describe_runtime()}")
    admin = prepare_database(database_url)
    worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from apps.accounts.models import User
        from apps.certificates.models import BatchState, CertificateBatch, RenderState
        from apps.certificates.services import certificates_issue_for_project
        from mobility_portal.celery import app

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        project = make_project(args.count)
        officer = User.objects.create(email="officer@bench.example", agency_role="officer", first_name="Ewa")
        print(f"setup: migrated and created {args.count} completed mobilities in {time.perf_counter() - started:.1f} s")
        if args.micro:
            micro(project, officer, args.micro, args.profile)
            return

        app.control.purge()  # messages of an earlier, interrupted run on this broker database
        loglevel = os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mobility_portal", "worker", "--concurrency",
             str(args.concurrency), "--pool", "prefork", "--loglevel", loglevel, "--without-gossip",
             "--without-mingle", "-n", f"bench-certificates-{os.getpid()}@%h"],
            cwd=ROOT, env={**os.environ, **env},
        )  # fmt: skip
        wait_for_worker(app, worker)

        load_before = os.getloadavg()[0]
        cpu_before = worker_cpu_seconds(worker.pid)
        started = time.perf_counter()
        batch = certificates_issue_for_project(project=project, by=officer)  # enqueues at its commit
        issued = time.perf_counter()
        deadline = started + TIMEOUT_SECONDS
        while True:
            batch = CertificateBatch.objects.get(pk=batch.pk)
            if batch.state == BatchState.FINISHED or time.perf_counter() > deadline:
                break
            time.sleep(0.25)
        finished = time.perf_counter()
        after = worker_cpu_seconds(worker.pid)
        main_cpu, pool_cpu = after[0] - cpu_before[0], after[1] - cpu_before[1]
        cpu = main_cpu + pool_cpu
        load_after = os.getloadavg()[0]

        failed = batch.certificates.exclude(render_state=RenderState.DONE).count()
        sample = batch.certificates.order_by("?").first()
        with sample.file.open("rb") as stored:
            valid = stored.read(5) == b"%PDF-"
        elapsed = finished - started
        per_second = batch.done / elapsed
        print(
            f"issue: {batch.total} certificates written and enqueued in {issued - started:.2f} s "
            f"(part of the time below)"
        )
        print(
            f"render: {batch.done} rendered, {failed} not rendered, in {elapsed:.1f} s with {args.concurrency} "
            f"worker process(es): {per_second:.1f} certificates/s, "
            f"{per_second / args.concurrency:.1f} certificates/s per worker process (goal >= 8); "
            f"sample PDF {'valid' if valid else 'INVALID'}"
        )
        print(
            f"worker CPU: {cpu:.1f} s, {1000 * cpu / max(batch.done, 1):.0f} ms per certificate "
            f"({batch.done / cpu if cpu else 0:.1f} certificates per CPU second; pool processes "
            f"{1000 * pool_cpu / max(batch.done, 1):.0f} ms, "
            f"main process {1000 * main_cpu / max(batch.done, 1):.0f} ms)"
            f"; load average {load_before:.2f} "
            f"at the start, {load_after:.2f} at the end ({os.cpu_count()} cores)"
        )
        if failed or not valid:
            sys.exit(1)
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        drop_database(admin, database_url)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
