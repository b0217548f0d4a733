from django.conf import settings
from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Load every reference-data fixture in fixtures/, in file-name order. Safe to run again."

    def handle(self, *args, **options):
        # Natural keys make loaddata update rows it has loaded before instead of
        # adding new ones, so a second run changes nothing.
        names = sorted(
            path.name for directory in settings.FIXTURE_DIRS for path in directory.glob("*.json")
        )
        call_command("loaddata", *names, verbosity=options["verbosity"])
