from django.core.management.base import BaseCommand

from apps.portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo, seed_programme_scale


class Command(BaseCommand):
    help = "Create the demo programme, organisations and accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["demo", "programme"],
            default="demo",
            help="'programme' also creates programme-sized data for benchmarks.",
        )

    def handle(self, *args, scale, **options):
        seed_demo()
        if scale == "programme":
            created = seed_programme_scale()
            self.stdout.write(f"Programme scale: {created} additional organisations created.")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Sign in with any of these (password {DEMO_PASSWORD}):"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:<28} {account.role}")
