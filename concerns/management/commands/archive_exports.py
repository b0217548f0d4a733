"""Archive exports by hand: deliver what is pending now, or send failed ones round again.

The beat task delivers pending packages every few minutes; this is for an
operator who has just fixed the archive folder (or the Fiks Arkiv
connection) and does not want to wait. See docs/archive.md.
"""

from django.core.management import BaseCommand
from django.db import transaction

from concerns.models import ArchiveExport
from concerns.records.archive import archive_exports_retry_failed, archive_sweep
from partners.services import system_user


class Command(BaseCommand):
    help = "Deliver pending archive packages now; with --retry-failed, failed ones too."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="Put failed exports back in the queue, from the first attempt.",
        )

    def handle(self, *args, retry_failed=False, **options):
        if retry_failed:
            with transaction.atomic():
                retried = archive_exports_retry_failed(actor=system_user())
            self.stdout.write(f"{retried} failed export(s) queued again.")
        # One round over everything pending: a failing sink costs one attempt each, not eight.
        delivered = archive_sweep(limit=100_000)
        counts = {
            status: ArchiveExport.objects.filter(status=status).count()
            for status in ArchiveExport.Status.values
        }
        self.stdout.write(
            f"{delivered} delivered now; "
            + ", ".join(f"{status}: {count}" for status, count in counts.items())
        )
