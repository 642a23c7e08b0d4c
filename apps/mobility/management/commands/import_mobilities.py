from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import AgencyRole
from apps.mobility.models import Project
from apps.mobility.transfer import ImportErrors, format_error, import_file


class Command(BaseCommand):
    help = (
        "Import a project's participants and mobilities (CSV or XLSX, column set version 1: docs/mobility-columns.md). "
        "Prints a summary, or every error by row and column; a file with errors saves nothing and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .csv or .xlsx file.")
        parser.add_argument(
            "--project", required=True, metavar="AGREEMENT_NUMBER", help="The project's agreement number."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and say what it would do.")
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="The user recorded as the author (default: the first active agency administrator).",
        )

    def handle(self, *args, path, project, dry_run, by, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}", returncode=1)
        found = Project.objects.select_related("application__organisation").filter(agreement_number=project).first()
        if found is None:
            raise CommandError(f"No project with the agreement number {project}.", returncode=1)
        user = self._user(by)
        try:
            result = import_file(path_or_file=file, filename=file.name, project=found, by=user, dry_run=dry_run)
        except ImportErrors as exc:
            for error in exc.errors:
                self.stderr.write(format_error(error))
            raise CommandError(f"{len(exc.errors)} error(s) in the file; nothing was imported.", returncode=1) from exc
        summary = result.summary()
        self.stdout.write(f"{file.name} → {found.agreement_number}")
        for key, value in summary.items():
            self.stdout.write(f"  {key.replace('_', ' ')}: {value}")
        for row in result.rows:
            for message in row.violations:
                self.stdout.write(self.style.WARNING(f"  row {row.row} (stays in draft): {message}"))
        if dry_run:
            self.stdout.write(self.style.SUCCESS("Dry run: nothing was saved. Importing the file would do the above."))
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))

    def _user(self, email):
        users = get_user_model().objects.filter(is_active=True)
        if email:
            user = users.filter(email__iexact=email).first()
            if user is None:
                raise CommandError(f"No active user with the e-mail address {email}.", returncode=1)
            return user
        user = users.filter(agency_role=AgencyRole.ADMINISTRATOR).order_by("pk").first()
        if user is None:
            raise CommandError("No active agency administrator: name the author with --by EMAIL.", returncode=1)
        return user
