from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _

from concerns.demo import seed_demo_cases, seed_demo_history
from measures.meetings.demo import seed_demo_meetings
from mentoring.demo import seed_demo_mentoring


class Command(BaseCommand):
    help = (
        "File a few invented cases as the demo users (run seed_demo first), and a year "
        "and a half of invented finished cases for the statistics. Does nothing twice."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(_("Demo users are not allowed with these settings (production?)."))
        filed = seed_demo_cases()
        self.stdout.write(_("Invented demo cases filed: %(count)d") % {"count": filed})
        mentorships = seed_demo_mentoring()
        self.stdout.write(
            _("Demo mentorships with sessions and ratings: %(count)d") % {"count": mentorships}
        )
        history = seed_demo_history()
        self.stdout.write(
            _("Invented finished cases for the statistics: %(count)d") % {"count": history}
        )
        meetings = seed_demo_meetings()
        self.stdout.write(_("Demo meetings: %(count)d") % {"count": meetings})
