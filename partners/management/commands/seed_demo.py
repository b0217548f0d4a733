from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mentoring.demo import seed_demo_corps
from partners.demo import DEMO_PASSWORD, seed_demo_identity_providers, seed_demo_users


class Command(BaseCommand):
    help = (
        "Create one invented demo user per role in Trondheim and Aalborg, and a coordinator "
        "in Malvik. "
        "Running it twice changes nothing."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(_("Demo users are not allowed with these settings (production?)."))
        results = seed_demo_users()
        # The demo mentors' corps places are registry data too (mentoring.demo).
        seed_demo_corps()
        # Switched-off example providers with group mappings (partners.identity).
        seed_demo_identity_providers()
        self.stdout.write(
            _("Demo users (password for all: %(password)s):") % {"password": DEMO_PASSWORD}
        )
        for demo, created in results:
            state = _("created") if created else _("already there")
            organisation = demo.organisation or "-"
            self.stdout.write(
                f"  {demo.username:<18} {', '.join(demo.roles):<28} {organisation:<26} {state}"
            )
