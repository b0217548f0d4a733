from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _

from concerns.demo import seed_demo_cases


class Command(BaseCommand):
    help = (
        "File a few invented cases as the demo users (run seed_demo first). "
        "Does nothing when there are cases already."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(_("Demo users are not allowed with these settings (production?)."))
        filed = seed_demo_cases()
        self.stdout.write(_("Invented demo cases filed: %(count)d") % {"count": filed})
