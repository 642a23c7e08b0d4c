from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.reserve_list.imports import ImportErrors, format_error, import_file


class Command(BaseCommand):
    help = (
        "Import a reserve list (CSV or XLSX with the columns of reserve_list_example.csv). "
        "Prints what was created and updated, or every error by row and column; "
        "a file with errors saves nothing and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .csv or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and say what it would change.")
        parser.add_argument("--by", metavar="EMAIL", help="The agency user recorded as the author of the changes.")

    def handle(self, *args, path, dry_run, by, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._user(by) if by else None
        try:
            parsed, outcome = import_file(path_or_file=file, filename=file.name, by=user, dry_run=dry_run)
        except ImportErrors as exc:
            self._fail(exc.errors)
        if parsed.errors:  # a dry run: the errors are reported, the plan of the valid rows is not
            self._fail(parsed.errors)

        plan = outcome if dry_run else outcome.plan
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(f"Note: {format_error(warning)}"))
        summary = plan.summary()
        self.stdout.write(f"{file.name}: {len(parsed.rows)} applications")
        self.stdout.write(f"  created:            {summary['created']}")
        self.stdout.write(f"  updated:            {summary['updated']}")
        for planned in plan.updated:
            changes = ", ".join(f"{name} {old} → {new}" for name, (old, new) in planned.changes.items())
            if planned.status_changed:
                changes = ", ".join(filter(None, [changes, f"status {planned.status_from} → {planned.status}"]))
            self.stdout.write(f"    row {planned.row}, {planned.number}: {changes}")
        self.stdout.write(f"  unchanged:          {summary['unchanged']}")
        self.stdout.write(f"  below threshold:    {summary['below_threshold']}")
        self.stdout.write(f"  new organisations:  {summary['new_organisations']}")
        if dry_run:
            self.stdout.write(self.style.SUCCESS("Dry run: nothing was saved. Importing the file would do the above."))
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))

    def _user(self, email):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {email}.")
        return user

    def _fail(self, errors):
        for error in errors:
            self.stderr.write(format_error(error))
        raise CommandError(f"{len(errors)} error(s) in the file; nothing was imported.", returncode=1)
